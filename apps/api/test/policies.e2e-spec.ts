import { caseStream } from '@chuishao/domain';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledPolicyFile } from '@chuishao/policy';
import { ASSESSMENT, COMMAND_CENTRE, ECOLOGY, httpDriver, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';

/**
 * The assessment policy as versioned data: GET /v1/policies lists the versions, a scorecard re-scored under a what-if
 * version names it while the default one stays as served, and POLICY_FILE's limits are what decide() enforces. The
 * clock runs ahead of the wall clock (scorecards count an event once its recordedAt is known); emergency whistles run
 * on natural time (report in within 30 minutes).
 */
const START = '2099-03-02T01:00:00.000Z';
const minute = (m: number) => new Date(Date.parse(START) + m * 60_000).toISOString();
const MARCH = 'from=2099-03-01&to=2099-04-01';

type PolicyData = { versions: { version: string; limits: { maxExtensions: number } }[] };
const bundled = (): PolicyData => JSON.parse(readFileSync(bundledPolicyFile(), 'utf8'));

function driver(h: () => Harness) {
  const calls = httpDriver(h, START);
  const blow = async (title: string, departments = [ECOLOGY]) =>
    (await calls.post(TOWNSHIP, '/v1/whistles', whistleBody(departments, { title, category: 'emergency' }))).caseId as string;
  return { ...calls, blow };
}

describe('scorecards re-scored under another policy version; GET /v1/policies', () => {
  let h: Harness;
  const { at, post, blow, get } = driver(() => h);
  const asOf = encodeURIComponent(minute(60));

  beforeAll(async () => {
    h = await startHarness({}, undefined, START);
    // 市生态环境局: one of two parts reported in on time (响应率 0.5), the one reviewed resolved and satisfied (1, 1).
    at(0);
    const onTime = await blow('按时报到');
    const late = await blow('超时报到');
    at(5);
    await post(ECOLOGY, `/v1/cases/${onTime}/responses`, {});
    at(40);
    await post(ECOLOGY, `/v1/cases/${late}/responses`, {});
    await post(ECOLOGY, `/v1/cases/${onTime}/completions`, { result: '已处置' });
    at(50);
    await post(TOWNSHIP, `/v1/cases/${onTime}/reviews`, { departmentId: ECOLOGY, resolved: true, satisfaction: 'satisfied' });
    at(60);
  });
  afterAll(() => h.close());

  it('policy=what-if-40-30-30 re-scores the same facts and names the policy; the default scorecard for that asOf is unchanged', async () => {
    const served = await get(ASSESSMENT, `/v1/scorecards?${MARCH}&asOf=${asOf}`);
    expect(served.status).toBe(200);
    const ecology = (card: { departments: { departmentId: string }[] }) => card.departments.find((r) => r.departmentId === ECOLOGY)!;
    expect(served.body.policyVersion).toBe('scoring-2026.1');
    // 30·0.5 + 35·1 + 35·1
    expect(ecology(served.body)).toMatchObject({ responseRate: 0.5, resolutionRate: 1, satisfactionRate: 1, compositeScore: 85 });

    const whatIf = await get(ASSESSMENT, `/v1/scorecards?${MARCH}&asOf=${asOf}&policy=what-if-40-30-30`);
    expect(whatIf.status).toBe(200);
    expect(whatIf.body.policyVersion).toBe('what-if-40-30-30');
    // 40·0.5 + 30·1 + 30·1: the same counts and rates, another composite.
    const { compositeScore, rank, ...facts } = ecology(whatIf.body) as Record<string, unknown>;
    expect(compositeScore).toBe(80);
    const { compositeScore: _, rank: __, ...servedFacts } = ecology(served.body) as Record<string, unknown>;
    expect(facts).toEqual(servedFacts);

    // What is served by default has not moved: byte for byte the same body, and the same with the in-force version named.
    const again = await get(ASSESSMENT, `/v1/scorecards?${MARCH}&asOf=${asOf}`);
    expect(again.text).toBe(served.text);
    expect((await get(ASSESSMENT, `/v1/scorecards?${MARCH}&asOf=${asOf}&policy=scoring-2026.1`)).text).toBe(served.text);
    // Without asOf (now) too.
    expect((await get(ASSESSMENT, `/v1/scorecards?${MARCH}`)).body.policyVersion).toBe('scoring-2026.1');

    // The clerk download states the policy and its weights.
    const clerk = await get(ASSESSMENT, `/v1/scorecards?${MARCH}&asOf=${asOf}&policy=what-if-40-30-30&format=csv-zh`);
    expect(clerk.headers['x-scorecard-policy-version']).toBe('what-if-40-30-30');
    expect(clerk.text).toContain('\r\n计分政策,what-if-40-30-30\r\n');
    expect(clerk.text).toContain('\r\n得分,响应率40、解决率30、满意率30加权×100\r\n');
  });

  it('an unknown version: 400 naming the field policy', async () => {
    const res = await get(ASSESSMENT, `/v1/scorecards?${MARCH}&policy=what-if-50-25-25`);
    expect([res.status, res.headers['content-type']]).toEqual([400, expect.stringContaining('application/problem+json')]);
    expect(res.body.errors).toEqual([{ field: 'policy', message: expect.stringContaining('known: scoring-2026.1, what-if-40-30-30') }]);
  });

  it('GET /v1/policies: every version with its weights and limits, which is in force; any org, with a token', async () => {
    const res = await get(TOWNSHIP, '/v1/policies');
    expect(res.status).toBe(200);
    const limits = {
      maxExtensions: 2,
      appealWindow: { amount: 3, unit: 'days', clock: 'working' },
      returnDecision: { amount: 2, unit: 'hours', clock: 'working' },
    };
    expect(res.body).toEqual({
      inForce: 'scoring-2026.1',
      versions: [
        {
          version: 'scoring-2026.1',
          effectiveFrom: '2000-01-01T00:00:00.000Z',
          inForce: true,
          weights: { wR: 30, wS: 35, wF: 35 },
          minRankedParts: 5,
          limits,
          notes: null,
        },
        {
          version: 'what-if-40-30-30',
          effectiveFrom: null,
          inForce: false,
          weights: { wR: 40, wS: 30, wF: 30 },
          minRankedParts: 5,
          limits,
          notes: expect.stringContaining('40/30/30'),
        },
      ],
    });
    for (const org of [ECOLOGY, COMMAND_CENTRE, ASSESSMENT]) expect((await get(org, '/v1/policies')).body).toEqual(res.body);
    const anonymous = await h.http().get('/v1/policies');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'AUTH.UNAUTHENTICATED']);
  });
});

describe('POLICY_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chuishao-policy-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Two extensions in a row on one part: the second request's answer. */
  async function secondExtension(h: Harness) {
    const { at, post, send, blow } = driver(() => h);
    at(0);
    const caseId = await blow('延期两次');
    at(5);
    await post(ECOLOGY, `/v1/cases/${caseId}/responses`, {});
    await post(ECOLOGY, `/v1/cases/${caseId}/extension-requests`, { reason: '水样送检', workingDays: 1 });
    await post(COMMAND_CENTRE, `/v1/cases/${caseId}/extension-decisions`, { departmentId: ECOLOGY, approved: true });
    at(10);
    const answer = await send(ECOLOGY, `/v1/cases/${caseId}/extension-requests`, { reason: '检测报告未出', workingDays: 1 });
    return { caseId, status: answer.status, body: answer.body };
  }

  it('its limits are what decide() enforces: with maxExtensions 1 a second extension is refused (CASE.LIMIT_REACHED), by default it is not', async () => {
    const data = bundled();
    data.versions[0].limits.maxExtensions = 1;
    const file = join(dir, 'one-extension.json');
    writeFileSync(file, JSON.stringify(data));
    const strict = await startHarness({ POLICY_FILE: file }, undefined, START);
    try {
      const refused = await secondExtension(strict);
      expect([refused.status, refused.body.code, refused.body.detail]).toEqual([409, 'CASE.LIMIT_REACHED', expect.stringContaining('1 extensions approved')]);
      const listed = await driver(() => strict).get(TOWNSHIP, '/v1/policies');
      expect(listed.body.versions[0]).toMatchObject({ version: 'scoring-2026.1', inForce: true, limits: { maxExtensions: 1 } });
    } finally {
      await strict.close();
    }
    const usual = await startHarness({}, undefined, START);
    try {
      const second = await secondExtension(usual);
      expect(second.status).toBe(200);
      // Each move a limit decided names the version it was decided under.
      const moves = (await usual.runtime.store.readStream(caseStream(second.caseId)))
        .filter((e) => e.type === 'ExtensionRequested' || e.type === 'ExtensionDecided')
        .map((e) => [e.type, (e.data as { policyVersion?: string }).policyVersion]);
      expect(moves).toEqual([
        ['ExtensionRequested', 'scoring-2026.1'],
        ['ExtensionDecided', 'scoring-2026.1'],
        ['ExtensionRequested', 'scoring-2026.1'],
      ]);
    } finally {
      await usual.close();
    }
  });

  it('a bad file refuses start, naming the variable, the file and the field', async () => {
    const data = bundled() as unknown as { versions: { weights: Record<string, unknown> }[] };
    data.versions[1].weights.wR = -40;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(data));
    await expect(startHarness({ POLICY_FILE: file })).rejects.toThrow(`POLICY_FILE=${JSON.stringify(file)}: versions[1].weights.wR: must be an integer ≥ 0`);
  });
});
