import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { caseStream, SATISFACTIONS } from '@chuishao/domain';
import { Directory } from '@chuishao/directory';
import { COMMAND_CENTRE, ECOLOGY, ENFORCEMENT, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';
import { assertRefusal, assertStoredClean, bodies, caseEventWatch, fuzzParameters, RUNS, saysSomething, send, type Generated, type Json } from './fuzz-support';

const departments = new Set(
  Directory.demo()
    .list()
    .filter((o) => o.type === 'department')
    .map((o) => o.id),
);

/** The state a command needs: a case where dept-ecology holds a part awaiting its report-in, or further on. */
type Stage = 'blown' | 'responded' | 'completed';

interface Endpoint {
  path: string;
  org: string;
  stage: Stage;
  valid: Json;
  event: string;
  /** Texts the rules require (must say something) and optional ones (left out, or saying something). */
  texts: string[];
  optionalTexts: string[];
  /** Further rules on the stored event's data. */
  check?: (data: Record<string, any>) => string[];
  dependents?: Record<string, string[]>;
}

const ENDPOINTS: Endpoint[] = [
  { path: 'responses', org: ECOLOGY, stage: 'blown', valid: { note: '已报到' }, event: 'DepartmentResponded', texts: [], optionalTexts: ['note'] },
  {
    path: 'transfers',
    org: ECOLOGY,
    stage: 'blown',
    valid: { toDepartmentId: ENFORCEMENT, reason: '城区管网错接，属执法局职责' },
    event: 'CaseTransferred',
    texts: ['reason'],
    optionalTexts: [],
    check: (d) =>
      departments.has(d.toDepartmentId) && d.toDepartmentId !== ECOLOGY && d.toDepartmentId !== WATER ? [] : [`transferred to ${d.toDepartmentId}`],
  },
  {
    path: 'completions',
    org: ECOLOGY,
    stage: 'responded',
    valid: { result: '已取样送检，责令停止排放' },
    event: 'HandlingCompleted',
    texts: ['result'],
    optionalTexts: [],
  },
  {
    path: 'reviews',
    org: TOWNSHIP,
    stage: 'completed',
    valid: { departmentId: ECOLOGY, resolved: false, satisfaction: 'dissatisfied', comment: '夜间仍有排放' },
    event: 'ReviewCompleted',
    texts: [],
    optionalTexts: ['comment'],
    check: (d) => [
      ...(d.departmentId === ECOLOGY ? [] : [`reviewed ${d.departmentId}`]),
      ...(typeof d.resolved === 'boolean' ? [] : ['resolved not a boolean']),
      ...(SATISFACTIONS.includes(d.satisfaction) ? [] : [`satisfaction ${d.satisfaction}`]),
    ],
  },
  {
    path: 'urges',
    org: COMMAND_CENTRE,
    stage: 'blown',
    valid: { departmentId: ECOLOGY, note: '请立即报到' },
    event: 'DepartmentUrged',
    texts: ['note'],
    optionalTexts: [],
    check: (d) => (d.departmentId === ECOLOGY || d.departmentId === WATER ? [] : [`urged ${d.departmentId}`]),
  },
  {
    path: 'reassignments',
    org: COMMAND_CENTRE,
    stage: 'blown',
    valid: { fromDepartmentId: ECOLOGY, toDepartmentId: ENFORCEMENT, reason: '险情升级，改派执法局' },
    event: 'PartReassigned',
    texts: ['reason'],
    optionalTexts: [],
    check: (d) => [
      ...([ECOLOGY, WATER].includes(d.fromDepartmentId) ? [] : [`reassigned from ${d.fromDepartmentId}`]),
      ...(departments.has(d.toDepartmentId) && ![ECOLOGY, WATER].includes(d.toDepartmentId) ? [] : [`reassigned to ${d.toDepartmentId}`]),
    ],
  },
  { path: 'withdrawal', org: TOWNSHIP, stage: 'blown', valid: { reason: '群众已自行解决' }, event: 'CaseWithdrawn', texts: ['reason'], optionalTexts: [] },
];

describe(`fuzz: ${RUNS} generated bodies per case command over HTTP; a refusal changes no case, an acceptance obeys the rules`, () => {
  let h: Harness;
  let base: string;
  const tokens = new Map<string, string>();
  const post = async (org: string, path: string, body: object) => {
    const answer = await send(base, 'POST', path, tokens.get(org)!, JSON.stringify(body));
    if (answer.status >= 300) throw new Error(`setting up: POST ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  /** A new case at the stage a command needs, set up over HTTP like any client. */
  const fresh = async (stage: Stage): Promise<string> => {
    const { caseId } = await post(TOWNSHIP, '/v1/whistles', whistleBody([ECOLOGY, WATER]));
    if (stage !== 'blown') await post(ECOLOGY, `/v1/cases/${caseId}/responses`, {});
    if (stage === 'completed') await post(ECOLOGY, `/v1/cases/${caseId}/completions`, { result: '已处理' });
    return caseId;
  };

  beforeAll(async () => {
    h = await startHarness();
    base = `http://127.0.0.1:${(h.runtime.app.getHttpServer().address() as AddressInfo).port}`;
    for (const org of [TOWNSHIP, ECOLOGY, COMMAND_CENTRE]) tokens.set(org, await h.token(org));
  });
  afterAll(() => h.close());

  it.each(ENDPOINTS)(
    'POST /v1/cases/{id}/$path: near-valid mutations and arbitrary JSON',
    async (e) => {
      const watch = caseEventWatch(h.runtime.store);
      let caseId = await fresh(e.stage);
      // The valid body is accepted as is.
      expect((await send(base, 'POST', `/v1/cases/${caseId}/${e.path}`, tokens.get(e.org)!, JSON.stringify(e.valid))).status).toBe(200);
      caseId = await fresh(e.stage);
      await watch.next();
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(bodies(e.valid), async (g: Generated) => {
          const before = (await h.runtime.store.readStream(caseStream(caseId))).length;
          const answer = await send(base, 'POST', `/v1/cases/${caseId}/${e.path}`, tokens.get(e.org)!, g.text);
          const stored = await watch.next();
          if (answer.status === 200) {
            accepted++;
            const problems: string[] = [];
            if (stored.length === 0 || stored.some((s) => s.streamName !== caseStream(caseId)) || stored[0].type !== e.event) {
              problems.push(`stored ${stored.map((s) => `${s.streamName} ${s.type}`)}`);
            }
            if (stored[0]?.revision !== before) problems.push(`appended at revision ${stored[0]?.revision}, expected ${before}`);
            const data = (stored[0]?.data ?? {}) as Record<string, any>;
            // No body at all (Content-Length 0) is an empty command: no optional text.
            const sent = (g.text === '' ? {} : g.value) as Record<string, any>;
            for (const f of e.texts) if (typeof data[f] !== 'string' || !saysSomething(data[f])) problems.push(`${f} says nothing: ${JSON.stringify(data[f])}`);
            for (const f of e.optionalTexts)
              if (data[f] !== undefined && (typeof data[f] !== 'string' || !saysSomething(data[f])))
                problems.push(`${f} says nothing: ${JSON.stringify(data[f])}`);
            for (const f of [...e.texts, ...e.optionalTexts])
              if (data[f] !== sent[f]) problems.push(`${f} stored as ${JSON.stringify(data[f])}, sent ${JSON.stringify(sent[f])}`);
            problems.push(...(e.check?.(data) ?? []));
            assertStoredClean(Object.fromEntries([...e.texts, ...e.optionalTexts].filter((f) => f in data).map((f) => [f, data[f]])));
            if (problems.length) throw new Error(`accepted against the rules (${answer.status}): ${problems.join('; ')}`);
            // The next body meets a case at the stage again (an urge leaves it there).
            if (e.path !== 'urges') caseId = await fresh(e.stage);
            await watch.next();
          } else {
            assertRefusal(answer, g, e.dependents);
            if (stored.length) throw new Error(`refused (${answer.status}) but stored ${stored.map((s) => `${s.streamName} ${s.type}`)}`);
            const after = (await h.runtime.store.readStream(caseStream(caseId))).length;
            if (after !== before) throw new Error(`refused (${answer.status}) but the case moved from revision ${before - 1} to ${after - 1}`);
          }
        }),
        fuzzParameters(),
      );
      // Both sides of the rules are reached (a few per cent of bodies pass), and most bodies are refused.
      expect(accepted).toBeGreaterThan(RUNS / 100);
      expect(accepted).toBeLessThan(RUNS / 2);
    },
    300_000,
  );
});
