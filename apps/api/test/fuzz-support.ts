import fc from 'fast-check';
import { isCaseStream } from '@chuishao/domain';
import type { EventStore, RecordedEvent } from '@chuishao/event-store';

/**
 * Shared pieces of the fuzz tests (fuzz-*.e2e-spec.ts): bodies generated from a valid one by mutation or at random,
 * sent as raw JSON text over real HTTP, and the oracle every answer must satisfy.
 */

/** Generated inputs per endpoint; FUZZ_RUNS raises it for a longer local run, FUZZ_SEED replays a failure. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
export const fuzzParameters = (): fc.Parameters<unknown> => ({
  numRuns: RUNS,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  // The seed and the shrunk counterexample are in the error fast-check throws: printed by jest on failure.
  verbose: 1,
});

export type Path = (string | number)[];
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value inside `value` (the root excluded). */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

/** Paths of the objects inside `value`, the root included: where a key can be added. */
function objectPathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => objectPathsOf(v, [...prefix, k]))];
}

/** The API's name for a path: `location.lat`, `departmentIds[1]`. */
export const fieldOf = (path: Path): string =>
  path.reduce<string>(
    (s, k) => (typeof k === 'number' || /^\d+$/.test(k) ? `${s}[${k}]` : !/^[^\s.[\]"]+$/u.test(k) ? `${s}[${JSON.stringify(k)}]` : s ? `${s}.${k}` : k),
    '',
  );

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Sets (own property, so `__proto__` is a key like any other) or, with `drop`, deletes the value at `path`. */
function setAt(root: Json, path: Path, given: Json | typeof DROP): Json {
  // A copy: fast-check may hand the same generated object to two mutations, and a body holding itself is no JSON.
  const value = given !== DROP && typeof given === 'object' && given !== null ? clone(given) : given;
  if (path.length === 0) return value === DROP ? {} : value;
  let node = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === DROP) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  return root;
}
const DROP = Symbol('drop');

/** Text that looks like something to a parser and like nothing (or trouble) to a reader. */
export const awkwardText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u3000',
    '\u00a0',
    '\u200b',
    '\u200b \u200c\u200d\u2060',
    '\ufeff',
    '\u202e',
    '\u202eevil\u202c',
    '\u034f',
    '\u115f\u1160',
    '\u3164',
    '\uffa0',
    '\u2800',
    '\u180e',
    '\u00ad',
    '\ufe0f',
    '\u0301',
    '\u0000',
    '\u0007',
    'a\u0000b',
    '\u001b[31mred',
    '\u007f',
    '\u0085',
    '\u2028',
    '\ud800',
    'x\udc00y',
    '😀',
    '👨‍👩‍👧',
    '𠀀𠀁',
    '东坝镇',
    "Robert'); DROP TABLE events;--",
    '<script>alert(1)</script>',
    '${7*7}',
    '../../etc/passwd',
    'null',
    'true',
    '0',
    '-1',
    '1e999',
    'NaN',
    '__proto__',
    'constructor',
    'dept-ecology',
    'dept-nowhere',
    'twp-dongba',
    'cc-qingchuan',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(' ', '\u200b', '\u3000', '\ufeff', '\u2060', '\u00a0', '\t', '\u180e', '\u3164'), minLength: 1, maxLength: 20 }),
);

const awkwardNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 90, -90, 90.0000001, 180, -180, 180.5, 1e308, -1e308, 5e-324, 2 ** 53 + 2, 366 * 24 * 60 + 1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Long text: just over the usual limits, and well over the body limit (256 kB → 413). */
const hugeText = fc
  .constantFrom(64, 65, 121, 129, 201, 2001, 4001, 70_000, 300_000)
  .chain((n) => fc.constantFrom('x'.repeat(n), '东'.repeat(n), '😀'.repeat(Math.ceil(n / 2)), '\u200b'.repeat(n)));

const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype');

export interface Mutation {
  kind: string;
  path: Path;
}
export interface Generated {
  /** The raw JSON text sent. */
  text: string;
  /** What was done to the valid body (empty: arbitrary JSON). */
  mutations: Mutation[];
  /** The body as sent, parsed (undefined for text that is not JSON). */
  value: Json | undefined;
}

/** One change to a body: drop, null, retype, huge, awkward text or number, an unknown or a dangerous key. */
function mutation(body: Json): fc.Arbitrary<{ apply: (b: Json) => Json; mutation: Mutation }> {
  const paths = pathsOf(body);
  const objects = objectPathsOf(body);
  const at = fc.constantFrom(...paths);
  const put = (kind: string, value: fc.Arbitrary<Json | typeof DROP>) =>
    fc.tuple(at, value).map(([path, v]) => ({ apply: (b: Json) => setAt(b, path, v), mutation: { kind, path } }));
  const addKey = (kind: string, key: fc.Arbitrary<string>) =>
    fc.tuple(fc.constantFrom(...objects), key, anyJson).map(([path, k, v]) => ({
      apply: (b: Json) => setAt(b, [...path, k], v),
      mutation: { kind, path: [...path, k] },
    }));
  return fc.oneof(
    put('drop', fc.constant(DROP)),
    put('null', fc.constant(null)),
    put('retype', anyJson),
    put('huge', hugeText),
    put('text', awkwardText),
    put('number', awkwardNumber),
    put(
      'array',
      fc.oneof(fc.constant<Json>([]), fc.array(fc.oneof(awkwardText, fc.constantFrom('dept-ecology', 'dept-water', 'dept-enforcement')), { maxLength: 25 })),
    ),
    put('object', fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 4 }))),
    addKey('dangerous key', dangerousKey),
    addKey('unknown key', fc.string({ minLength: 1, maxLength: 12 })),
  );
}

/** Plausible text: says something, no control characters, of any script. */
const plausibleText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((t) => saysSomething(t) && cleanText(t));

/** A valid body with one value changed to another plausible one of its type (often still valid). */
function benign(valid: Json): fc.Arbitrary<Generated> {
  const leaves = pathsOf(valid).filter((p) => {
    const v = p.reduce<any>((n, k) => n[k], valid);
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  });
  return fc.constantFrom(...leaves).chain((path) => {
    const v = path.reduce<any>((n, k) => n[k], valid);
    const value: fc.Arbitrary<Json> =
      typeof v === 'string'
        ? plausibleText
        : typeof v === 'number'
          ? fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.integer({ min: -10, max: 1000 }))
          : fc.boolean();
    return value.map((x) => {
      const b = setAt(clone(valid), path, x);
      return { text: JSON.stringify(b), mutations: [{ kind: 'plausible', path }], value: b };
    });
  });
}

/**
 * Bodies near a valid one (one to three mutations) and arbitrary JSON (any value, objects with random keys, text that
 * is not JSON at all).
 */
export function bodies(valid: Json): fc.Arbitrary<Generated> {
  const mutated = fc.array(mutation(valid), { minLength: 1, maxLength: 3 }).map((ms) => {
    let b = clone(valid);
    const applied: Mutation[] = [];
    for (const m of ms) {
      // A later mutation may aim below a value an earlier one replaced: that one is left out.
      try {
        b = m.apply(b);
        applied.push(m.mutation);
      } catch {
        // not applicable to the body as changed so far
      }
    }
    return { text: JSON.stringify(b), mutations: applied, value: b };
  });
  const arbitrary = anyJson.map((v) => ({ text: JSON.stringify(v), mutations: [], value: v }));
  const objects = fc
    .dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...Object.keys(valid as object))), anyJson, { maxKeys: 6 })
    .map((v) => ({ text: JSON.stringify(v), mutations: [], value: v as Json }));
  const notJson = fc
    .oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{', '{"a":1', '[1,]', "{'a':1}", '{"a":1}{', '\u0000', 'undefined', '{"title":"\\ud800"}'))
    .filter((t) => {
      try {
        JSON.parse(t);
        return false;
      } catch {
        return true;
      }
    })
    .map((t) => ({ text: t, mutations: [], value: undefined }));
  return fc.oneof(
    { weight: 2, arbitrary: benign(valid) },
    { weight: 6, arbitrary: mutated },
    { weight: 2, arbitrary: objects },
    { weight: 1, arbitrary: arbitrary },
    { weight: 1, arbitrary: notJson },
  );
}

export interface Answer {
  status: number;
  contentType: string;
  body: any;
  headers: Headers;
}

/** One request over real HTTP (keep-alive): raw text as the body. */
export async function send(base: string, method: string, path: string, token: string | null, text?: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: text,
  });
  const raw = await res.text();
  let body: unknown = raw;
  try {
    body = raw ? JSON.parse(raw) : raw;
  } catch {
    // left as text; the oracle says whether that was allowed
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, headers: res.headers };
}

const related = (a: string, b: string) => a === b || b.startsWith(`${a}.`) || b.startsWith(`${a}[`) || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);

/**
 * What every refusal must be: never a 5xx; problem+json with a code; a 400 names each invalid field once; when one
 * field was changed, the 400 names that field (or the object or element it sits in, or something inside it).
 */
export function assertRefusal(
  answer: Answer,
  generated: Pick<Generated, 'mutations'> & { fields?: string[] },
  /** Fields whose rules depend on another: changing the key may make the request name these instead. */
  dependents: Record<string, string[]> = {},
): void {
  const where = `${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`;
  if (answer.status >= 500) throw new Error(`server error: ${where}`);
  if (!answer.contentType.startsWith('application/problem+json')) throw new Error(`refusal not problem+json (${answer.contentType}): ${where}`);
  const { code, status, errors } = answer.body ?? {};
  if (typeof code !== 'string' || !/^[A-Z_]+(\.[A-Z_]+)*$/.test(code) || status !== answer.status) throw new Error(`refusal without a code: ${where}`);
  if (answer.status !== 400) return;
  if (!Array.isArray(errors) || errors.length === 0) throw new Error(`400 naming no field: ${where}`);
  const fields = errors.map((e: { field?: unknown; message?: unknown }) => {
    if (typeof e.field !== 'string' || !e.field || typeof e.message !== 'string' || !e.message)
      throw new Error(`field error without field or message: ${where}`);
    return e.field;
  });
  if (new Set(fields).size !== fields.length) throw new Error(`a field reported twice: ${where}`);
  const changed = generated.fields ?? (generated.mutations.length === 1 ? [fieldOf(generated.mutations[0].path)] : []);
  const acceptable = changed.length === 1 ? [changed[0], ...(Object.hasOwn(dependents, changed[0]) ? dependents[changed[0]] : [])] : [];
  if (changed.length === 1 && !fields.some((f) => f === 'body' || acceptable.some((c) => related(f, c)))) {
    throw new Error(`the 400 names ${fields.join(', ')}, not the changed field ${changed[0]}: ${where}`);
  }
}

/**
 * Whether a text says something to a reader: a character that is not whitespace, a control or format character, a
 * default-ignorable code point (fillers, variation selectors, soft hyphen), a lone combining mark or the blank Braille
 * pattern. The test's own rule, written apart from the server's.
 */
export const saysSomething = (s: string) => /[^\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\u2800]/u.test(s);
/** Text fit to store: well-formed UTF-16, no control characters but tab and line breaks. */
export const cleanText = (s: string) => !/\p{Cs}/u.test(s) && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(s);

/** Every string in a stored value is clean text, and no value is null. */
export function assertStoredClean(value: unknown, at = 'data'): void {
  if (value === null) throw new Error(`${at} stored as null`);
  if (typeof value === 'string' && !cleanText(value)) throw new Error(`${at} stored with control characters or lone surrogates: ${JSON.stringify(value)}`);
  if (typeof value === 'object') for (const [k, v] of Object.entries(value)) assertStoredClean(v, `${at}.${k}`);
}

/**
 * The case events appended since the last call: what a request stored in any case stream. Other streams (an audit
 * trail of refusals, say) may grow on a refusal; case streams must not.
 */
export function caseEventWatch(store: EventStore) {
  let after: number | null = null;
  const next = async (): Promise<RecordedEvent[]> => {
    const found: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({ after, limit: 1000 });
      if (page.length) after = page[page.length - 1].position;
      found.push(...page.filter((e) => isCaseStream(e.streamName)));
      if (page.length < 1000) return found;
    }
  };
  return { next };
}
