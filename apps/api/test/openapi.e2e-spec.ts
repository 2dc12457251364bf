import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { startHarness, type Harness } from './harness';

describe('GET /v1/openapi.json', () => {
  let h: Harness;
  beforeAll(async () => {
    // Simulated clock: the dev-only routes are served too, so every documented route is checked.
    h = await startHarness({ CLOCK: 'simulated' });
  });
  afterAll(() => h.close());

  it('documents exactly the routes the app serves', async () => {
    const doc = (await h.http().get('/v1/openapi.json').expect(200)).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths as Record<string, object>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();

    // The routes Nest registered, read from the controllers' metadata.
    const container = (h.runtime.app as unknown as { container: { getModules(): Map<string, { controllers: Map<unknown, { metatype: Function }> }> } }).container;
    const served: string[] = [];
    for (const module of container.getModules().values()) {
      for (const { metatype } of module.controllers.values()) {
        const base = String(Reflect.getMetadata(PATH_METADATA, metatype));
        for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
          const handler = metatype.prototype[name];
          if (name === 'constructor' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
          const sub = String(Reflect.getMetadata(PATH_METADATA, handler));
          const path = `/${[base, sub].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
          served.push(`${method} ${path}`);
        }
      }
    }
    expect(served.sort()).toEqual(documented);
  });
});
