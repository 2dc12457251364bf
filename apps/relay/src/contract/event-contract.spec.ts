import { CASE_EVENT_SCHEMA_VERSION, CASE_EVENT_TYPES } from '@chuishao/domain';
import { CaseTraffic } from '@chuishao/histories';
import {
  allSchemaPaths,
  contractValidator,
  eventSchemaFiles,
  eventSchemaPath,
  readContract,
  SCHEMA_ID_BASE,
  type JsonSchema,
} from '../../../../test/contracts/contract-schemas';
import { CE_TYPE_PREFIX } from '@chuishao/relay';

/**
 * Keywords whose meaning is the same in JSON Schema draft-07 and 2020-12. The files declare 2020-12;
 * AsyncAPI 3.0 reads payloads as draft-07 (its parser has no 2020-12), so staying inside this set
 * keeps both readings one contract.
 */
const COMMON_KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  '$defs',
  'title',
  'description',
  'examples',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'items',
  'minItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'exclusiveMinimum',
  'format',
  'additionalProperties',
]);

/** Keywords used, and (as `$ref+<keyword>`) any but an annotation beside a $ref, which draft-07 would ignore. */
function keywordsOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema))
    schema.forEach((s) => {
      keywordsOf(s, into);
    });
  else if (schema && typeof schema === 'object') {
    const hasRef = '$ref' in schema;
    for (const [k, v] of Object.entries(schema)) {
      into.add(hasRef && !['$ref', 'description', 'title', 'examples'].includes(k) ? `$ref+${k}` : k);
      if (k === 'properties' || k === '$defs')
        Object.values(v as object).forEach((s) => {
          keywordsOf(s, into);
        });
      else if (k === 'items' || k === 'additionalProperties') keywordsOf(v, into);
    }
  }
  return into;
}

/** Property names a schema declares, as dotted paths through objects and arrays (refs followed). */
function declaredPaths(schema: JsonSchema, root = schema, at = ''): string[] {
  if (typeof schema.$ref === 'string') return declaredPaths((root.$defs as Record<string, JsonSchema>)[schema.$ref.replace('#/$defs/', '')], root, at);
  if (schema.items) return declaredPaths(schema.items as JsonSchema, root, `${at}[]`);
  return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).flatMap(([name, s]) => {
    const path = at ? `${at}.${name}` : name;
    return [path, ...declaredPaths(s, root, path)];
  });
}

function presentPaths(value: unknown, at = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value))
    value.forEach((v) => {
      presentPaths(v, `${at}[]`, into);
    });
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = at ? `${at}.${k}` : k;
      into.add(path);
      presentPaths(v, path, into);
    }
  }
  return into;
}

/** Samples of every event type, made by the real decider (what the API would store and the relay publish). */
function domainSamples(count: number): { type: string; value: unknown }[] {
  const generator = new CaseTraffic({ seed: 11 });
  const samples: { type: string; value: unknown }[] = [];
  while (samples.length < count) {
    for (const e of generator.next().events) samples.push({ type: e.type, value: JSON.parse(JSON.stringify(e.data)) });
  }
  return samples;
}

describe('the event contract files (contracts/)', () => {
  it('hold one schema per case event type, and none for a type the domain does not have', () => {
    expect(eventSchemaFiles()).toEqual(CASE_EVENT_TYPES.map((t) => eventSchemaPath(t, CASE_EVENT_SCHEMA_VERSION).slice('events/'.length)).sort());
  });

  it.each(allSchemaPaths())('%s: a 2020-12 schema whose $id is an absolute URI naming the file', (path) => {
    const schema = readContract(path);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`${SCHEMA_ID_BASE}${path}`);
    expect(new URL(schema.$id as string).protocol).toBe('https:');
    expect([...keywordsOf(schema)].filter((k) => !COMMON_KEYWORDS.has(k))).toEqual([]);
  });

  it.each([...CASE_EVENT_TYPES])('%s: titled with its ce_type', (type) => {
    expect(readContract(eventSchemaPath(type)).title).toBe(`${CE_TYPE_PREFIX}${type}.v${CASE_EVENT_SCHEMA_VERSION}`);
  });

  describe('against what the domain records (20,000 events through decide())', () => {
    const samples = domainSamples(20_000);
    const strict = contractValidator({ closed: true });
    const open = contractValidator();

    it('every event type occurs, and every event is valid, strictly: no field the schema does not describe', () => {
      expect(new Set(samples.map((s) => s.type))).toEqual(new Set(CASE_EVENT_TYPES));
      const problems = samples.map((s) => ({ type: s.type, problems: strict.event(s.type, s.value) })).filter((p) => p.problems.length > 0);
      expect(problems.slice(0, 5)).toEqual([]);
    });

    it('every field a schema describes is recorded by the domain, but for optional inputs the generator never sends', () => {
      const seen = new Map<string, Set<string>>();
      for (const s of samples) presentPaths(s.value, '', seen.get(s.type) ?? seen.set(s.type, new Set()).get(s.type));
      const missing = CASE_EVENT_TYPES.flatMap((t) =>
        declaredPaths(readContract(eventSchemaPath(t)))
          .filter((p) => !seen.get(t)!.has(p))
          .map((p) => `${t} ${p}`),
      );
      expect(missing).toEqual(['WhistleBlown sourceRef']);
    });

    it('the validators do reject: a missing required field, a wrong type, and (strictly) an undescribed field', () => {
      const blown = samples.find((s) => s.type === 'WhistleBlown')!.value as Record<string, unknown>;
      const { parts, ...noParts } = blown;
      expect(parts).toBeDefined();
      expect(open.event('WhistleBlown', noParts)).toEqual([expect.stringContaining("must have required property 'parts'")]);
      expect(open.event('WhistleBlown', { ...blown, occurredAt: 'yesterday' })).toEqual([expect.stringContaining('/occurredAt must match format "date-time"')]);
      expect(open.event('WhistleBlown', { ...blown, extra: 1 })).toEqual([]);
      expect(strict.event('WhistleBlown', { ...blown, extra: 1 })).toEqual([expect.stringContaining('must NOT have additional properties')]);
    });
  });
});
