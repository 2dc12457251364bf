import { join } from 'node:path';
import { activeGeneration, CASE_INBOX, caseInboxGenerations, inboxTables, openReadModelDb, rebuildProjection } from '@chuishao/projections';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, MARKET, OTHER_TOWNSHIP, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

interface Page {
  items: { caseId: string; townshipId: string; status: string }[];
  nextCursor: string | null;
}

describe('GET /v1/cases: the inbox read model', () => {
  let h: Harness;
  const ids: Record<string, string> = {};
  let lastPosition = 0;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const inbox = async (org: string, query = '') =>
    (
      await h
        .http()
        .get(`/v1/cases?minPosition=${lastPosition}${query}`)
        .set(await auth(org))
        .expect(200)
    ).body as Page;

  beforeAll(async () => {
    h = await startHarness();
    const blow = async (name: string, township: string, departments: string[]) => {
      h.clock.advance(1);
      const res = await h
        .http()
        .post('/v1/whistles')
        .set(await auth(township))
        .send(whistleBody(departments, { title: name }))
        .expect(201);
      ids[name] = res.body.caseId;
      lastPosition = res.body.position;
    };
    await blow('a', TOWNSHIP, [ECOLOGY]);
    await blow('b', TOWNSHIP, [WATER, MARKET]);
    await blow('c', OTHER_TOWNSHIP, [ECOLOGY]);
    await blow('d', TOWNSHIP, [WATER]);
    const moved = await h
      .http()
      .post(`/v1/cases/${ids.d}/transfers`)
      .set(await auth(WATER))
      .send({ toDepartmentId: ENFORCEMENT, reason: '非本局职责' })
      .expect(200);
    const withdrawn = await h
      .http()
      .post(`/v1/cases/${ids.a}/withdrawal`)
      .set(await auth(TOWNSHIP))
      .send({ reason: '重复上报' })
      .expect(200);
    lastPosition = Math.max(moved.body.position, withdrawn.body.position);
  });
  afterAll(() => h.close());

  const names = (page: Page) => page.items.map((i) => Object.keys(ids).find((k) => ids[k] === i.caseId));

  it('shows each caller only what it may see, newest first', async () => {
    expect(names(await inbox(TOWNSHIP))).toEqual(['d', 'b', 'a']);
    expect(names(await inbox(OTHER_TOWNSHIP))).toEqual(['c']);
    expect(names(await inbox(ECOLOGY))).toEqual(['c', 'a']);
    expect(names(await inbox(WATER))).toEqual(['d', 'b']); // d: held, then transferred away
    expect(names(await inbox(ENFORCEMENT))).toEqual(['d']);
    expect(names(await inbox(COMMAND_CENTRE))).toEqual(['d', 'c', 'b', 'a']);
    expect(names(await inbox(ASSESSMENT))).toEqual(['d', 'c', 'b', 'a']);
  });

  it('filters by status, department and township, within the caller’s scope', async () => {
    expect(names(await inbox(TOWNSHIP, '&status=withdrawn'))).toEqual(['a']);
    expect(names(await inbox(TOWNSHIP, '&status=open'))).toEqual(['d', 'b']);
    expect(names(await inbox(COMMAND_CENTRE, `&departmentId=${ECOLOGY}`))).toEqual(['c', 'a']);
    expect(names(await inbox(COMMAND_CENTRE, `&townshipId=${OTHER_TOWNSHIP}`))).toEqual(['c']);
    expect(names(await inbox(TOWNSHIP, `&townshipId=${OTHER_TOWNSHIP}`))).toEqual([]);
  });

  it('pages with a stable cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page: Page = await inbox(COMMAND_CENTRE, `&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(names(page) as string[]));
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['d', 'c', 'b', 'a']);
  });

  it('minPosition waits for the projection (read-your-writes)', async () => {
    h.clock.advance(1);
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .send(whistleBody([ECOLOGY], { title: 'e' }))
      .expect(201);
    const page = (
      await h
        .http()
        .get(`/v1/cases?minPosition=${res.body.position}&limit=1`)
        .set(await auth(TOWNSHIP))
        .expect(200)
    ).body as Page;
    expect(page.items[0].caseId).toBe(res.body.caseId);
  });

  it('refuses a minPosition beyond the store (no command answered it) with 400 naming it, without waiting', async () => {
    const head = (await h.runtime.store.headPosition())!;
    for (const position of [head + 1, 999999999, 1e20]) {
      const res = await h
        .http()
        .get(`/v1/cases?minPosition=${position}`)
        .set(await auth(TOWNSHIP));
      expect([res.status, res.body.code, res.body.errors?.[0]?.field]).toEqual([400, 'REQUEST.INVALID', 'minPosition']);
    }
    expect(
      (
        await h
          .http()
          .get(`/v1/cases?minPosition=${head}`)
          .set(await auth(TOWNSHIP))
      ).status,
    ).toBe(200);
  });

  it('a rebuild into a new generation while serving answers the same inbox, then the live projection continues in it', async () => {
    const everyone = [TOWNSHIP, OTHER_TOWNSHIP, ECOLOGY, WATER, MARKET, ENFORCEMENT, COMMAND_CENTRE];
    const before = await Promise.all(everyone.map((org) => inbox(org, '&limit=100')));
    const db = openReadModelDb(join(h.dataDir, 'read-models.sqlite'));
    const generation = activeGeneration(db, CASE_INBOX);
    // Commands keep coming while the rebuild runs: the switch must catch up with them too.
    const during = h
      .http()
      .post(`/v1/cases/${ids.b}/responses`)
      .set(await auth(MARKET))
      .send({})
      .expect(200);
    const result = await rebuildProjection(h.runtime.store, db, caseInboxGenerations, { graceMs: 50 });
    lastPosition = Math.max(lastPosition, (await during).body.position);
    expect(result.generation).toBe(generation + 1);
    expect(caseInboxGenerations.existingGenerations(db)).toEqual([generation + 1]); // the old tables are gone
    const after = await Promise.all(everyone.map((org) => inbox(org, '&limit=100')));
    const withoutVersions = (pages: Page[]) => pages.map((p) => p.items.map((i) => ({ ...i, version: 0, position: 0, parts: [] })));
    expect(withoutVersions(after)).toEqual(withoutVersions(before));
    const market = after[everyone.indexOf(MARKET)].items.find((i) => i.caseId === ids.b) as unknown as { parts: { departmentId: string; status: string }[] };
    expect(market.parts.find((p) => p.departmentId === MARKET)?.status).toBe('in_progress');

    // The live runner writes the new generation from here on.
    h.clock.advance(1);
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .send(whistleBody([WATER], { title: 'after the rebuild' }))
      .expect(201);
    lastPosition = res.body.position;
    expect(names(await inbox(WATER))[0]).toBe(undefined); // not one of the named cases…
    expect((await inbox(WATER)).items[0].caseId).toBe(res.body.caseId); // …but the new one, first
    db.close();
  });

  it('a rebuild in stream partitions answers exactly the same inbox, versions and parts included', async () => {
    const everyone = [TOWNSHIP, OTHER_TOWNSHIP, ECOLOGY, WATER, MARKET, ENFORCEMENT, COMMAND_CENTRE];
    const before = await Promise.all(everyone.map((org) => inbox(org, '&limit=100')));
    expect(before.some((page) => page.items.length > 3)).toBe(true);
    const db = openReadModelDb(join(h.dataDir, 'read-models.sqlite'));
    const generation = activeGeneration(db, CASE_INBOX);
    const result = await rebuildProjection(h.runtime.store, db, caseInboxGenerations, { graceMs: 50, maxBatch: 3, partitions: { count: 3 } });
    expect(result.generation).toBe(generation + 1);
    expect(await Promise.all(everyone.map((org) => inbox(org, '&limit=100')))).toEqual(before);
    // Filled without the indexes the queries use, which the rebuild then made.
    const { cases } = inboxTables(result.generation);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(cases) as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining([`${cases}_township`, `${cases}_county`, `${cases}_next_check`]));
    db.close();
  });
});

describe('GET /v1/cases?minPosition= with no projector running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PROCESSORS: 'none', READ_MODEL_WAIT_MS: '200' });
  });
  afterAll(() => h.close());

  it('answers 503 READ_MODEL.BEHIND with Retry-After for a position the store has but the inbox has not applied', async () => {
    const token = await h.token(TOWNSHIP);
    const blown = await h
      .http()
      .post('/v1/whistles')
      .set({ Authorization: `Bearer ${token}` })
      .send(whistleBody([ECOLOGY]))
      .expect(201);
    const res = await h
      .http()
      .get(`/v1/cases?minPosition=${blown.body.position}`)
      .set({ Authorization: `Bearer ${token}` });
    expect([res.status, res.body.code, res.headers['retry-after']]).toEqual([503, 'READ_MODEL.BEHIND', '1']);
  });
});
