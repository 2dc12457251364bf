import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { caseStream } from '@chuishao/domain';
import { ECOLOGY, startHarness, TOWNSHIP, WATER, whistleBody, type Harness } from './harness';
import { assertRefusal, caseEventWatch, fuzzParameters, RUNS } from './fuzz-support';

/** Printable ASCII: what an HTTP client can put in a header value at all. */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 160 });
const tokenChars = fc.constantFrom(...'ABCXYZabcxyz0189._:-');

// The test's own statement of the documented header rules (README, OpenAPI), written apart from the server's.
/** application/json or a +json type (application/vnd.api+json), in UTF-8 when a charset is named. */
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const VALID_TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
const ETAG = /^(?:W\/)?"?(\d+)"?$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

interface Headers {
  contentType?: string;
  idempotencyKey?: string | 'reuse';
  ifMatch?: string | { offset: number; form: 'strong' | 'weak' | 'bare' };
  correlationId?: string;
  traceparent?: string;
}

const headers: fc.Arbitrary<Headers> = fc.record(
  {
    contentType: fc.oneof(
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON; Charset="UTF-8"', 'application/json;charset=utf-8'),
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', ''),
      fc.constantFrom('application/json; charset=latin1', 'application/json; charset=utf-16', 'application/vnd.api+json', 'application/jsonx'),
      printable,
    ),
    idempotencyKey: fc.oneof(fc.string({ unit: tokenChars, minLength: 1, maxLength: 40 }), fc.constant('reuse' as const), printable),
    ifMatch: fc.oneof(
      fc.record({ offset: fc.constantFrom(0, 0, 0, -1, 1, 7), form: fc.constantFrom('strong' as const, 'weak' as const, 'bare' as const) }),
      fc.constantFrom('*', '"abc"', '"1", "2"', 'W/""', '""'),
      printable,
    ),
    correlationId: fc.oneof(fc.string({ unit: tokenChars, minLength: 1, maxLength: 40 }), printable),
    traceparent: fc.oneof(
      fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[0-9a-f]{16}$/)).map(([t, p]) => `00-${t}-${p}-01`),
      printable,
    ),
  },
  { requiredKeys: [] },
);

describe(`fuzz: ${RUNS} generated header sets on a case command (Content-Type, Idempotency-Key, If-Match, X-Correlation-Id, traceparent)`, () => {
  let h: Harness;
  let base: string;
  let township: string;
  let ecology: string;
  beforeAll(async () => {
    h = await startHarness();
    base = `http://127.0.0.1:${(h.runtime.app.getHttpServer().address() as AddressInfo).port}`;
    township = await h.token(TOWNSHIP);
    ecology = await h.token(ECOLOGY);
  });
  afterAll(() => h.close());

  const blow = async () => {
    const res = await h
      .http()
      .post('/v1/whistles')
      .set('Authorization', `Bearer ${township}`)
      .send(whistleBody([ECOLOGY, WATER]))
      .expect(201);
    const view = await h.http().get(`/v1/cases/${res.body.caseId}`).set('Authorization', `Bearer ${ecology}`).expect(200);
    return { caseId: res.body.caseId as string, version: Number(JSON.parse(view.headers.etag)) };
  };

  it('POST /v1/cases/{id}/responses: accepted exactly when every header is valid; else a problem naming it, and nothing stored', async () => {
    const watch = caseEventWatch(h.runtime.store);
    let target = await blow();
    await watch.next();
    let lastKey: string | null = null;
    let run = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(headers, async (generated) => {
        run++;
        // What the server sees: HTTP strips a field value's leading and trailing whitespace (RFC 9110 §5.5).
        const wire = (v: string | undefined) => v?.trim();
        const g: Headers = {
          ...generated,
          contentType: wire(generated.contentType),
          idempotencyKey: generated.idempotencyKey === 'reuse' ? 'reuse' : wire(generated.idempotencyKey),
          ifMatch: typeof generated.ifMatch === 'string' ? wire(generated.ifMatch) : generated.ifMatch,
          correlationId: wire(generated.correlationId),
          traceparent: wire(generated.traceparent),
        };
        const sent: Record<string, string> = { authorization: `Bearer ${ecology}` };
        if (g.contentType !== undefined) sent['content-type'] = g.contentType;
        let key: string | undefined;
        if (g.idempotencyKey === 'reuse') key = lastKey ?? undefined;
        else if (g.idempotencyKey !== undefined) key = VALID_TOKEN.test(g.idempotencyKey) ? `${g.idempotencyKey.slice(0, 100)}-${run}` : g.idempotencyKey;
        if (key !== undefined) sent['idempotency-key'] = key;
        let ifMatch: string | undefined;
        if (typeof g.ifMatch === 'string') ifMatch = g.ifMatch;
        else if (g.ifMatch) {
          const v = target.version + g.ifMatch.offset;
          ifMatch = g.ifMatch.form === 'strong' ? `"${v}"` : g.ifMatch.form === 'weak' ? `W/"${v}"` : String(v);
        }
        if (ifMatch !== undefined) sent['if-match'] = ifMatch;
        if (g.correlationId !== undefined) sent['x-correlation-id'] = g.correlationId;
        if (g.traceparent !== undefined) sent.traceparent = g.traceparent;

        const before = (await h.runtime.store.readStream(caseStream(target.caseId))).length;
        const res = await fetch(`${base}/v1/cases/${target.caseId}/responses`, { method: 'POST', headers: sent, body: JSON.stringify({ note: '已报到' }) });
        const text = await res.text();
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {}
        const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', body, headers: res.headers };
        const stored = await watch.next();

        // What the rules say the answer must be (the first rule broken decides; some allow either of two answers).
        const type = g.contentType ?? '';
        const jsonish = /json/i.test(type);
        const ifMatchValue = ifMatch === undefined ? null : ETAG.exec(ifMatch.trim());
        let expected: number[];
        if (!JSON_MEDIA.test(type)) expected = jsonish ? [400, 415] : [415];
        else if (key !== undefined && !VALID_TOKEN.test(key)) expected = [400];
        else if (ifMatch !== undefined && !ifMatchValue) expected = [400];
        else {
          // The command path's two refusals: either may be checked first.
          expected = [
            ...(ifMatchValue && Number(ifMatchValue[1]) !== target.version ? [412] : []),
            ...(g.idempotencyKey === 'reuse' && key !== undefined ? [422] : []),
          ];
          if (expected.length === 0) expected = [200];
        }

        if (!expected.includes(res.status)) throw new Error(`answered ${res.status}, expected ${expected.join(' or ')}: ${text.slice(0, 300)}`);
        if (res.status === 200) {
          accepted++;
          // The next header set meets a case awaiting its report-in again, whatever the checks below find.
          const answered = target;
          target = await blow();
          await watch.next();
          if (stored.length !== 1 || stored[0].type !== 'DepartmentResponded' || stored[0].streamName !== caseStream(answered.caseId))
            throw new Error(`accepted but stored ${stored.map((s) => `${s.streamName} ${s.type}`)}`);
          const meta = stored[0].metadata as { correlationId?: string; traceparent?: string };
          const trace = g.traceparent === undefined ? null : TRACEPARENT.exec(g.traceparent);
          const correlation = g.correlationId !== undefined && VALID_TOKEN.test(g.correlationId) ? g.correlationId : (trace?.[1] ?? null);
          if (correlation !== null && meta.correlationId !== correlation) throw new Error(`correlation id ${meta.correlationId}, expected ${correlation}`);
          if (correlation === null && typeof meta.correlationId !== 'string') throw new Error('no correlation id recorded');
          if ((meta.traceparent ?? null) !== (trace ? g.traceparent : null)) throw new Error(`traceparent recorded as ${meta.traceparent}`);
          if (key !== undefined) lastKey = key;
        } else {
          assertRefusal(answer, { mutations: [] });
          if (res.status === 400 && expected.length === 1) {
            const named = (body.errors ?? []).map((e: { field: string }) => e.field);
            const header = key !== undefined && !VALID_TOKEN.test(key) ? 'Idempotency-Key' : 'If-Match';
            if (!named.includes(header)) throw new Error(`the 400 names ${named.join(', ')}, not ${header}`);
          }
          if (stored.length) throw new Error(`refused (${res.status}) but stored ${stored.map((s) => s.type)}`);
          const after = (await h.runtime.store.readStream(caseStream(target.caseId))).length;
          if (after !== before) throw new Error(`refused (${res.status}) but the case moved`);
        }
      }),
      fuzzParameters(),
    );
    // Both sides are reached.
    expect(accepted).toBeGreaterThan(RUNS / 100);
    expect(accepted).toBeLessThan(RUNS / 2);
  }, 300_000);
});
