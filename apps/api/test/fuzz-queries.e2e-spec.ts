import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { CATEGORIES } from '@chuishao/domain';
import { ASSESSMENT, ECOLOGY, startHarness, TOWNSHIP, whistleBody, type Harness } from './harness';
import { assertRefusal, awkwardText, fieldOf, fuzzParameters, RUNS, send } from './fuzz-support';

/**
 * The query parameters of the list, scorecard and explain routes: near-valid mutations (drop, replace, repeat, unknown,
 * bracketed and dangerous keys) and arbitrary query strings. No 5xx; a refusal names the parameter; an accepted query
 * had only values the rules allow (checked by this file's own reading of them).
 */
type Pairs = [string, string][];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const isDate = (v: string) => {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
};
const isInstant = (v: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)) && isDate(v.slice(0, 10));
const NOW = '2026-03-02T01:00:00.000Z';
/** An unencoded `+` of a UTC offset arrives as a space: the API takes it back. */
const plus = (v: string) => v.replace(/ (\d{2}:\d{2})$/, '+$1');
const dayNumber = (v: string) => Date.parse(`${v}T00:00:00Z`) / 86_400_000;

const dateLike = fc.oneof(
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-W01',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '9999-12-31',
    '0000-01-01',
    '+275760-09-13',
    '2026-1-5',
    '20260105',
    '2026-01-01T25:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01T00:00:00+08:00',
    '2026-01-01T00:00:00 08:00',
    '2026-01-01T00:00:00.1234Z',
    '2025-12-31T16:00:00.000Z',
  ),
);
const numberLike = fc.oneof(fc.integer().map(String), fc.double().map(String), fc.constantFrom('1e20', '0x10', '-0', '1.0', ' 5', '100', '101', '0', '20'));

interface QuerySpec {
  name: string;
  path: string;
  org: string;
  valid: Pairs;
  /** Values the rules allow, per parameter, read apart from the server's code. */
  rules: Record<string, (v: string, all: Map<string, string>) => boolean>;
  values: fc.Arbitrary<string>;
  /** Beyond the single values: rules over several (a period's length). */
  together?: (all: Map<string, string>) => boolean;
  checkBody?: (body: any, all: Map<string, string>) => string | null;
}

const periodRules = {
  from: (v: string) => isDate(v),
  to: (v: string) => isDate(v),
  asOf: (v: string) => isInstant(plus(v)) && Date.parse(plus(v)) <= Date.parse(NOW),
  // The bundled policy versions (libs/policy/data/policies.json): the one in force and a what-if.
  policy: (v: string) => v === 'scoring-2026.1' || v === 'what-if-40-30-30',
};
const period = (all: Map<string, string>) => {
  const days = dayNumber(all.get('to')!) - dayNumber(all.get('from')!);
  return days > 0 && days <= 731;
};

const SPECS: QuerySpec[] = [
  {
    name: 'GET /v1/cases',
    path: '/v1/cases',
    org: TOWNSHIP,
    valid: [
      ['status', 'open'],
      ['category', 'joint_enforcement'],
      ['raisedFrom', '2026-01-01'],
      ['raisedTo', '2026-12-31T16:00:00+08:00'],
      ['q', '排污'],
      ['overdue', 'false'],
      ['escalation', 'none'],
      ['pending', 'extension'],
      ['limit', '5'],
      ['minPosition', '1'],
      ['departmentId', ECOLOGY],
      ['townshipId', TOWNSHIP],
    ],
    rules: {
      status: (v) => ['open', 'closed', 'withdrawn'].includes(v),
      category: (v) => (CATEGORIES as readonly string[]).includes(v),
      raisedFrom: (v) => isDate(v) || isInstant(plus(v)),
      raisedTo: (v) => isDate(v) || isInstant(plus(v)),
      q: (v) => [...v].length >= 1 && [...v].length <= 100,
      overdue: (v) => v === 'true' || v === 'false',
      escalation: (v) => ['none', 'reminded', 'overdue', 'escalated'].includes(v),
      pending: (v) => ['extension', 'return', 'appeal'].includes(v),
      limit: (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100,
      minPosition: (v) => /^\d+$/.test(v),
      departmentId: (v) => v.length <= 64,
      townshipId: (v) => v.length <= 64,
      cursor: () => true,
    },
    values: fc.oneof(
      awkwardText,
      dateLike,
      numberLike,
      fc.constantFrom('open', 'closed', 'true', 'false', 'none', 'escalated', 'emergency', 'extension', 'appeal', ECOLOGY, TOWNSHIP),
    ),
    checkBody: (body, all) => {
      if (!Array.isArray(body?.items)) return 'no items';
      const limit = all.has('limit') ? Number(all.get('limit')) : 20;
      if (body.items.length > limit) return `${body.items.length} items over limit ${limit}`;
      const status = all.get('status');
      if (status && body.items.some((i: { status: string }) => i.status !== status)) return `an item not ${status}`;
      return null;
    },
  },
  {
    name: 'GET /v1/scorecards',
    path: '/v1/scorecards',
    org: ASSESSMENT,
    valid: [
      ['from', '2026-02-01'],
      ['to', '2026-03-01'],
      ['asOf', '2026-03-01T00:00:00Z'],
      ['countyId', 'county-qingchuan'],
      ['format', 'json'],
    ],
    rules: { ...periodRules, countyId: (v) => v === 'county-qingchuan', format: (v) => ['json', 'csv', 'csv-zh', 'xlsx'].includes(v) },
    values: fc.oneof(
      awkwardText,
      dateLike,
      numberLike,
      fc.constantFrom('csv', 'json', 'xlsx', 'csv-zh', 'pdf', 'county-qingchuan', 'scoring-2026.1', 'what-if-40-30-30'),
    ),
    together: period,
    checkBody: (body, all) => {
      const format = all.get('format');
      if (format === 'csv' || format === 'csv-zh') return typeof body === 'string' ? null : `${format} not text`;
      // A workbook is a zip: it starts with PK.
      if (format === 'xlsx') return typeof body === 'string' && body.startsWith('PK') ? null : 'xlsx not a workbook';
      return Array.isArray(body?.departments) ? null : 'no departments';
    },
  },
  {
    name: 'GET /v1/scorecards/{departmentId}',
    path: `/v1/scorecards/${ECOLOGY}`,
    org: ASSESSMENT,
    valid: [
      ['from', '2026-02-01'],
      ['to', '2026-03-01'],
      ['asOf', '2026-03-01T00:00:00Z'],
    ],
    rules: periodRules,
    values: fc.oneof(awkwardText, dateLike, numberLike, fc.constantFrom('scoring-2026.1')),
    together: period,
    checkBody: (body) => (body?.department?.departmentId === ECOLOGY ? null : 'not the department'),
  },
  {
    name: 'GET /v1/scorecards/{departmentId}/explain',
    path: `/v1/scorecards/${ECOLOGY}/explain`,
    org: ASSESSMENT,
    valid: [
      ['from', '2026-02-01'],
      ['to', '2026-03-01'],
      ['asOf', '2026-03-01T00:00:00Z'],
    ],
    rules: periodRules,
    values: fc.oneof(awkwardText, dateLike, numberLike, fc.constantFrom('scoring-2026.1')),
    together: period,
    checkBody: (body) => (Array.isArray(body?.parts) && body.department?.departmentId === ECOLOGY ? null : 'no parts'),
  },
  {
    name: 'GET /v1/calendar',
    path: '/v1/calendar',
    org: TOWNSHIP,
    valid: [
      ['from', '2026-09-28'],
      ['to', '2026-10-12'],
    ],
    rules: { from: isDate, to: isDate },
    // Dates near the valid range too, so that many mutations are still within 400 days and accepted.
    values: fc.oneof(awkwardText, dateLike, numberLike, fc.constantFrom('2026-01-01', '2025-09-14', '2025-09-13', '2026-10-01', '2027-10-16', '2027-10-17')),
    // At most 400 days, both ends included, within the years the calendar derives (1901–2099).
    together: (all) => {
      const days = dayNumber(all.get('to')!) - dayNumber(all.get('from')!) + 1;
      const covered = (v: string) => Number(v.slice(0, 4)) >= 1901 && Number(v.slice(0, 4)) <= 2099;
      return days >= 1 && days <= 400 && covered(all.get('from')!) && covered(all.get('to')!);
    },
    checkBody: (body, all) => (body?.days?.length === dayNumber(all.get('to')!) - dayNumber(all.get('from')!) + 1 ? null : 'not one entry per date'),
  },
];

interface GeneratedQuery {
  pairs: Pairs;
  /** The parameter changed, when one was. */
  changed: string | null;
}

/** Near-valid mutations of a valid query, and arbitrary ones. */
function queries(spec: QuerySpec): fc.Arbitrary<GeneratedQuery> {
  const keys = spec.valid.map(([k]) => k);
  const index = fc.nat({ max: spec.valid.length - 1 });
  const without = (i: number) => spec.valid.filter((_, j) => j !== i);
  const mutated: fc.Arbitrary<GeneratedQuery> = fc.oneof(
    index.map((i) => ({ pairs: without(i), changed: spec.valid[i][0] })),
    fc
      .tuple(index, spec.values)
      .map(([i, v]) => ({ pairs: spec.valid.map(([k, x], j) => [k, j === i ? v : x] as [string, string]), changed: spec.valid[i][0] })),
    fc.tuple(index, spec.values).map(([i, v]) => ({ pairs: [...spec.valid, [spec.valid[i][0], v]] as Pairs, changed: spec.valid[i][0] })),
    fc
      .tuple(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !keys.includes(k) && !/[[\]]/.test(k)),
          fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'),
        ),
        spec.values,
      )
      .map(([k, v]) => ({ pairs: [...spec.valid, [k, v]] as Pairs, changed: fieldOf([k]) })),
    fc.tuple(index, fc.constantFrom('[a]', '[]', '[__proto__]', '[0]')).map(([i, suffix]) => ({
      // No bracket syntax: `asOf[a]` is a key of its own (and unknown), not an object.
      pairs: spec.valid.map(([k, x], j) => [j === i ? `${k}${suffix}` : k, x] as [string, string]),
      changed: fieldOf([`${spec.valid[i][0]}${suffix}`]),
    })),
  );
  const arbitrary = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), spec.values), { maxLength: 6 })
    .map((pairs) => ({ pairs, changed: null }));
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: arbitrary });
}

describe(`fuzz: ${RUNS} generated query strings per read route over HTTP`, () => {
  let h: Harness;
  let base: string;
  const tokens = new Map<string, string>();
  beforeAll(async () => {
    h = await startHarness();
    base = `http://127.0.0.1:${(h.runtime.app.getHttpServer().address() as AddressInfo).port}`;
    for (const org of [TOWNSHIP, ECOLOGY, ASSESSMENT]) tokens.set(org, await h.token(org));
    // Something to list and to score.
    for (let i = 0; i < 3; i++)
      expect((await send(base, 'POST', '/v1/whistles', tokens.get(TOWNSHIP)!, JSON.stringify(whistleBody([ECOLOGY])))).status).toBe(201);
  });
  afterAll(() => h.close());

  it.each(SPECS)(
    '$name',
    async (spec) => {
      // The valid query is answered 200.
      expect((await send(base, 'GET', `${spec.path}?${new URLSearchParams(spec.valid)}`, tokens.get(spec.org)!)).status).toBe(200);
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(queries(spec), async (q) => {
          const answer = await send(base, 'GET', `${spec.path}?${new URLSearchParams(q.pairs)}`, tokens.get(spec.org)!);
          if (answer.status === 200) {
            accepted++;
            const all = new Map<string, string>();
            const problems: string[] = [];
            for (const [k, v] of q.pairs) {
              if (all.has(k)) problems.push(`${k} given twice`);
              all.set(k, v);
              // URLSearchParams sends a lone surrogate as U+FFFD: the server saw the well-formed text.
              const seen = (v as unknown as { toWellFormed(): string }).toWellFormed();
              if (!Object.hasOwn(spec.rules, k)) problems.push(`unknown parameter ${k}`);
              else if (!spec.rules[k](seen, all)) problems.push(`${k}=${JSON.stringify(v)} is not allowed`);
            }
            // Judged against the head after the answer: refusals recorded meanwhile (the audit trail) move it on.
            const headNow = (await h.runtime.store.headPosition())!;
            if (all.has('minPosition') && Number(all.get('minPosition')) > headNow) problems.push('minPosition beyond the store');
            if (spec.together && problems.length === 0 && !spec.together(all)) problems.push('the parameters together break a rule');
            const body = spec.checkBody?.(answer.body, all);
            if (body) problems.push(body);
            if (problems.length) throw new Error(`accepted against the rules: ${problems.join('; ')}`);
          } else {
            assertRefusal(answer, { mutations: [], fields: q.changed ? [q.changed] : [] }, { from: ['to'], to: ['from'], asOf: [], policy: [] });
          }
        }),
        fuzzParameters(),
      );
      expect(accepted).toBeGreaterThan(RUNS / 100);
    },
    300_000,
  );
});
