import { COMMAND_CENTRE, ECOLOGY, MARKET, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';

interface Ev {
  type: string;
  actor: { orgId: string; role: string };
  data: Record<string, unknown>;
}

describe('deadlines: watcher, urges, reassignments, inbox filters', () => {
  let h: Harness;
  const auth = async (org: string) => ({ Authorization: `Bearer ${await h.token(org)}` });
  const events = async (caseId: string) =>
    (
      await h
        .http()
        .get(`/v1/cases/${caseId}/events`)
        .set(await auth(COMMAND_CENTRE))
        .expect(200)
    ).body as Ev[];
  /** Lets the watcher run a few rounds at the current (test) time. */
  const watch = async (rounds = 3) => {
    for (let i = 0; i < rounds; i++) {
      h.runtime.watcher!.poke();
      await new Promise((r) => setTimeout(r, 60));
    }
  };

  beforeAll(async () => {
    h = await startHarness({ WATCHER_INTERVAL_MS: '60000' });
  });
  afterAll(() => h.close());

  it('an emergency not reported in within 30 minutes is reminded, marked overdue and escalated once', async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set(await auth(TOWNSHIP))
      .send(whistleBody([ECOLOGY], { category: 'emergency', title: '山体滑坡险情' }))
      .expect(201);
    const caseId = res.body.caseId;
    h.clock.advance(25);
    await watch();
    h.clock.advance(6);
    await watch();
    h.clock.advance(60);
    await watch();
    const rungs = (await events(caseId)).filter((e) => e.type !== 'WhistleBlown');
    expect(rungs.map((e) => e.type)).toEqual(['DeadlineReminderSent', 'ResponseOverdue', 'CaseEscalated']);
    expect(rungs.every((e) => e.actor.orgId === 'system' && e.actor.role === 'system')).toBe(true);
    expect(rungs[2].data).toMatchObject({ departmentId: ECOLOGY, deadline: 'response', commandCentreId: COMMAND_CENTRE });
    const view = (
      await h
        .http()
        .get(`/v1/cases/${caseId}`)
        .set(await auth(TOWNSHIP))
        .expect(200)
    ).body;
    expect(view.parts[0].responseAlert).toBe('escalated');

    // The command centre urges, then reassigns the part: the new department's clocks start anew.
    await h
      .http()
      .post(`/v1/cases/${caseId}/urges`)
      .set(await auth(COMMAND_CENTRE))
      .send({ departmentId: ECOLOGY, note: '请立即到场处置' })
      .expect(200);
    const moved = await h
      .http()
      .post(`/v1/cases/${caseId}/reassignments`)
      .set(await auth(COMMAND_CENTRE))
      .send({ fromDepartmentId: ECOLOGY, toDepartmentId: WATER, reason: '险情涉及河堤，改派水利局' })
      .expect(200);
    const part = moved.body.parts[0];
    expect(part).toMatchObject({ departmentId: WATER, status: 'awaiting_response', responseAlert: 'none', urges: 1 });
    const now = Date.parse(part.assignedAt);
    expect(Date.parse(part.responseDueAt) - now).toBe(30 * 60_000);
    await watch();
    expect((await events(caseId)).map((e) => e.type).slice(-2)).toEqual(['DepartmentUrged', 'PartReassigned']);
  });

  it('only the command centre urges and reassigns', async () => {
    const caseId = (
      await h
        .http()
        .post('/v1/whistles')
        .set(await auth(TOWNSHIP))
        .send(whistleBody([MARKET]))
        .expect(201)
    ).body.caseId;
    expect(
      (
        await h
          .http()
          .post(`/v1/cases/${caseId}/urges`)
          .set(await auth(TOWNSHIP))
          .send({ departmentId: MARKET, note: 'x' })
      ).status,
    ).toBe(403);
    expect(
      (
        await h
          .http()
          .post(`/v1/cases/${caseId}/reassignments`)
          .set(await auth(MARKET))
          .send({ fromDepartmentId: MARKET, toDepartmentId: WATER, reason: 'x' })
      ).status,
    ).toBe(403);
    const bad = await h
      .http()
      .post(`/v1/cases/${caseId}/reassignments`)
      .set(await auth(COMMAND_CENTRE))
      .send({ fromDepartmentId: MARKET, toDepartmentId: TOWNSHIP, reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('toDepartmentId');
  });

  it('the inbox filters on escalation, overdue, category, raise time and Chinese full text', async () => {
    // Cases so far: 山体滑坡险情 (emergency, reassigned to water: 30 minutes to report in), and a
    // 东坝河段不明排污口 (market, 2 hours). Add an emergency and a resident request, then let 31 minutes pass.
    const township = await auth(TOWNSHIP);
    await h
      .http()
      .post('/v1/whistles')
      .set(township)
      .send(whistleBody([ECOLOGY], { category: 'emergency', title: '森林火情' }))
      .expect(201);
    h.clock.advance(1);
    const last = (
      await h
        .http()
        .post('/v1/whistles')
        .set(township)
        .send(whistleBody([MARKET], { title: '农贸市场无证经营', category: 'resident_request' }))
        .expect(201)
    ).body;
    h.clock.advance(31);
    await watch();
    const head = (await h.http().get(`/v1/cases/${last.caseId}`).set(township)).body.position;
    const allEvents = await Promise.all(
      ((await h.http().get(`/v1/cases?limit=100&minPosition=${head}`).set(township)).body.items as { caseId: string }[]).map((c) => events(c.caseId)),
    );
    const position = Math.max(head, ...allEvents.flat().map((e) => (e as unknown as { position: number }).position));
    const q = async (query: string) =>
      ((await h.http().get(`/v1/cases?minPosition=${position}&${query}`).set(township).expect(200)).body.items as { title: string }[])
        .map((i) => i.title)
        .sort();

    expect(await q('escalation=escalated')).toEqual(['山体滑坡险情', '森林火情'].sort());
    expect(await q('escalation=none')).toEqual(['东坝河段不明排污口', '农贸市场无证经营'].sort());
    expect(await q('overdue=true')).toEqual(['山体滑坡险情', '森林火情'].sort());
    expect(await q('overdue=false')).toEqual(['东坝河段不明排污口', '农贸市场无证经营'].sort());
    expect(await q(`q=${encodeURIComponent('无证')}`)).toEqual(['农贸市场无证经营']);
    expect(await q(`q=${encodeURIComponent('河滨路段')}`)).toHaveLength(4);
    expect(await q(`q=${encodeURIComponent('100%')}`)).toEqual([]);
    expect(await q('category=resident_request')).toEqual(['农贸市场无证经营']);
    expect(await q(`raisedFrom=${encodeURIComponent(last.raisedAt)}`)).toEqual(['农贸市场无证经营']);
    expect(await q(`raisedTo=${encodeURIComponent(last.raisedAt)}`)).not.toContain('农贸市场无证经营');
    const bad = await h.http().get('/v1/cases?overdue=maybe&escalation=loud&raisedFrom=yesterday').set(township);
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['escalation', 'overdue', 'raisedFrom']);
  });
});

describe('simulated clock (CLOCK=simulated)', () => {
  it('moves server time forward, only in that mode, and never back', async () => {
    const h = await startHarness({ CLOCK: 'simulated' });
    try {
      const before = Date.now();
      const res = await h.http().post('/v1/dev/clock/advance').send({ minutes: 120 }).expect(200);
      expect(Date.parse(res.body.now) - before).toBeGreaterThanOrEqual(120 * 60_000);
      expect((await h.http().post('/v1/dev/clock/advance').send({ minutes: -5 })).status).toBe(400);
      const blown = await h
        .http()
        .post('/v1/whistles')
        .set({ Authorization: `Bearer ${await h.token(TOWNSHIP)}` })
        .send(whistleBody())
        .expect(201);
      expect(Date.parse(blown.body.raisedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.now));
    } finally {
      await h.close();
    }
    const plain = await startHarness();
    try {
      expect((await plain.http().post('/v1/dev/clock/advance').send({ minutes: 5 })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
