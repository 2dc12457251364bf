import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('libs/audit boundaries', () => {
  it('imports no Nest, no HTTP framework and no app', () => {
    const offending = readdirSync(__dirname)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((file) =>
        [...readFileSync(join(__dirname, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)]
          .map((m) => m[1])
          .filter((spec) => spec.startsWith('@nestjs/') || spec === 'express' || spec.includes('/apps/') || spec.startsWith('../../'))
          .map((spec) => `${file}: ${spec}`),
      );
    expect(offending).toEqual([]);
  });
});
