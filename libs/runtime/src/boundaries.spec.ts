import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

const importsOf = (file: string) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]);

describe('libs/runtime boundaries', () => {
  it('imports no Nest and no app', () => {
    const offending = sources('libs/runtime').flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('@nestjs/') || resolve(ROOT, file, '..', spec).startsWith(join(ROOT, 'apps')))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('the watcher, projector and relay take config and clock from it, not from apps/api', () => {
    const apiFiles = ['config', 'clock'].map((name) => join(ROOT, 'apps/api/src', name));
    const offending = ['apps/watcher', 'apps/projector', 'apps/relay'].flatMap(sources).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith('.') && apiFiles.includes(resolve(ROOT, file, '..', spec)))
        .map((spec) => `${relative(ROOT, join(ROOT, file))}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });
});
