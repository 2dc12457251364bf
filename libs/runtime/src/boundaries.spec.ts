import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') || f.endsWith('.tsx'))
    .map((f) => join(dir, f));
}

const importsOf = (file: string) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1]);
const dirsOf = (parent: string) =>
  readdirSync(join(ROOT, parent), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(parent, d.name));

/** The top-level app or lib folder a relative import lands in (e.g. `apps/api`), or null for a package import. */
function landsIn(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const target = relative(ROOT, resolve(ROOT, file, '..', spec)).split(sep);
  return target.length >= 2 ? `${target[0]}/${target[1]}` : target[0];
}

describe('boundaries between apps and libs', () => {
  it('no lib imports Nest (a thin Nest module per app wraps what it needs)', () => {
    const offending = dirsOf('libs')
      .flatMap(sources)
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith('@nestjs/'))
          .map((spec) => `${file}: ${spec}`),
      );
    // This spec names the package in its own pattern only.
    expect(offending.filter((line) => !line.startsWith('libs/runtime/src/boundaries.spec.ts'))).toEqual([]);
  });

  it('no lib imports an app', () => {
    const offending = dirsOf('libs')
      .flatMap(sources)
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => landsIn(file, spec)?.startsWith('apps/'))
          .map((spec) => `${file}: ${spec}`),
      );
    expect(offending).toEqual([]);
  });

  // Tests may drive another app (the backup test starts the API); the shipped sources may not.
  it("no app's source imports another app's files, nor a lib's other than through @chuishao/<lib>", () => {
    const offending = dirsOf('apps').flatMap((app) =>
      sources(join(app, 'src'))
        .filter((file) => !file.endsWith('.spec.ts'))
        .flatMap((file) =>
          importsOf(file)
            .filter((spec) => {
              const target = landsIn(file, spec);
              return target !== null && target !== app;
            })
            .map((spec) => `${file}: ${spec}`),
        ),
    );
    expect(offending).toEqual([]);
  });
});
