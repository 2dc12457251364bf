import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { CATEGORIES } from '@chuishao/domain';
import { Directory } from '@chuishao/directory';
import { startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';
import { assertRefusal, assertStoredClean, bodies, caseEventWatch, fuzzParameters, RUNS, saysSomething, send, type Generated, type Json } from './fuzz-support';

const departments = new Set(
  Directory.demo()
    .list()
    .filter((o) => o.type === 'department')
    .map((o) => o.id),
);
const inRange = (v: unknown, limit: number) => v === undefined || (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= limit);

/** What a stored whistle must be, whatever was sent: the rules, checked apart from the server's code. */
function assertWhistleStored(data: Record<string, any>, sent: Record<string, any>): void {
  const problems: string[] = [];
  for (const f of ['title', 'description'] as const) if (typeof data[f] !== 'string' || !saysSomething(data[f])) problems.push(`${f} says nothing`);
  const loc = data.location;
  if (loc === null || typeof loc !== 'object' || Array.isArray(loc)) problems.push('location is not an object');
  else {
    if (typeof loc.address !== 'string' || !saysSomething(loc.address)) problems.push('location.address says nothing');
    if (!inRange(loc.lat, 90)) problems.push('location.lat is not a latitude');
    if (!inRange(loc.lng, 180)) problems.push('location.lng is not a longitude');
    const extra = Object.keys(loc).filter((k) => !['address', 'grid', 'lat', 'lng'].includes(k));
    if (extra.length) problems.push(`location stored unknown keys ${extra}`);
  }
  if (!CATEGORIES.includes(data.category)) problems.push('category unknown');
  const ids: unknown[] = data.parts.map((p: { departmentId: unknown }) => p.departmentId);
  if (ids.length === 0 || new Set(ids).size !== ids.length || ids.some((id) => !departments.has(id as string))) problems.push(`departments ${ids}`);
  // What was sent is what was stored, field for field.
  for (const f of ['title', 'description', 'location', 'sourceRef'] as const) {
    if (JSON.stringify(data[f]) !== JSON.stringify(sent[f])) problems.push(`${f} stored as ${JSON.stringify(data[f])}, sent ${JSON.stringify(sent[f])}`);
  }
  assertStoredClean({ title: data.title, description: data.description, location: data.location, sourceRef: data.sourceRef });
  if (problems.length) throw new Error(`whistle accepted against the rules: ${problems.join('; ')}`);
}

describe(`fuzz: ${RUNS} generated bodies per endpoint over HTTP, no 5xx, problem+json naming the field, nothing bad stored`, () => {
  let h: Harness;
  let base: string;
  let token: string;
  beforeAll(async () => {
    h = await startHarness();
    base = `http://127.0.0.1:${(h.runtime.app.getHttpServer().address() as AddressInfo).port}`;
    token = await h.token(TOWNSHIP);
  });
  afterAll(() => h.close());

  it('POST /v1/whistles: near-valid mutations (with and without a catalogue matter) and arbitrary JSON', async () => {
    const watch = caseEventWatch(h.runtime.store);
    await watch.next();
    const valid = whistleBody() as Json;
    const withMatter = {
      title: '路灯损坏',
      description: '河滨路3号路灯不亮',
      matterCode: 'UM-001',
      location: { address: '东坝镇河滨路3号' },
      sourceRef: '12345-0001',
    } as Json;
    // Each base is sent once as is: the generator's bodies are near something accepted.
    for (const b of [valid, withMatter]) expect((await send(base, 'POST', '/v1/whistles', token, JSON.stringify(b))).status).toBe(201);
    await watch.next();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodies(valid), bodies(withMatter)), async (g: Generated) => {
        const answer = await send(base, 'POST', '/v1/whistles', token, g.text);
        const stored = await watch.next();
        if (answer.status === 201) {
          accepted++;
          if (stored.length !== 1 || stored[0].type !== 'WhistleBlown' || stored[0].streamName !== `case-${answer.body.caseId}`) {
            throw new Error(`201 stored ${stored.map((e) => `${e.streamName} ${e.type}`)}`);
          }
          assertWhistleStored(stored[0].data as Record<string, any>, g.value as Record<string, any>);
        } else {
          assertRefusal(answer, g, { matterCode: ['category', 'departmentIds'] });
          if (stored.length) throw new Error(`refused (${answer.status}) but stored ${stored.map((e) => `${e.streamName} ${e.type}`)}`);
        }
      }),
      fuzzParameters(),
    );
    // The generator reaches both sides of the rules: some bodies pass, most do not.
    expect(accepted).toBeGreaterThan(RUNS / 20);
    expect(accepted).toBeLessThan(RUNS / 2);
  }, 300_000);
});
