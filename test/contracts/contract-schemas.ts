import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The county contract's files (contracts/) for tests: the JSON Schemas loaded as published, and Ajv
 * validators over them. An independent validator, so a schema that says less than the code sends fails.
 */
export const CONTRACTS_DIR = resolve(__dirname, '../../contracts');
/** Every schema's $id is this plus its path under contracts/ (where it would be served). */
export const SCHEMA_ID_BASE = 'https://schemas.chuishao.gov.cn/';

export type JsonSchema = { [keyword: string]: unknown };

export const readContract = (path: string): JsonSchema => JSON.parse(readFileSync(join(CONTRACTS_DIR, path), 'utf8'));

/** contracts/events/*.schema.json by file name. */
export function eventSchemaFiles(): string[] {
  return readdirSync(join(CONTRACTS_DIR, 'events'))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export const eventSchemaPath = (type: string, version = 1) => `events/${type}.v${version}.schema.json`;
export const HEADERS_SCHEMA = 'kafka/case-event-headers.v1.schema.json';
export const DEAD_LETTER_HEADERS_SCHEMA = 'kafka/dead-letter-headers.v1.schema.json';

/** Every schema file under contracts/, relative paths. */
export function allSchemaPaths(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.schema.json') ? [relative(CONTRACTS_DIR, join(dir, d.name))] : [],
    );
  return walk(CONTRACTS_DIR).sort();
}

/**
 * The schema with every object that names its properties closed (no other property allowed): the
 * published schemas stay open for forward compatibility, the tests use this to catch a field the
 * domain records that the contract does not describe.
 */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === 'properties' || k === '$defs' ? Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, closed(s)])) : closed(v),
    ]),
  );
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export interface ContractValidator {
  /** Problems of an event value against its type's schema (empty: valid). */
  event(type: string, value: unknown): string[];
  headers(headers: Record<string, unknown>): string[];
  deadLetterHeaders(headers: Record<string, unknown>): string[];
}

/** Ajv (JSON Schema 2020-12, strict about the schemas themselves) over the contract's files. */
export function contractValidator(options: { closed?: boolean } = {}): ContractValidator {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const compile = (path: string): ValidateFunction => {
    const schema = readContract(path);
    return ajv.compile((options.closed ? closed(schema) : schema) as JsonSchema);
  };
  const cache = new Map<string, ValidateFunction>();
  const check = (path: string, value: unknown): string[] => {
    let validate = cache.get(path);
    if (!validate) cache.set(path, (validate = compile(path)));
    return validate(value) ? [] : describe(validate.errors ?? []);
  };
  return {
    event: (type, value) => check(eventSchemaPath(type), value),
    headers: (h) => check(HEADERS_SCHEMA, h),
    deadLetterHeaders: (h) => check(DEAD_LETTER_HEADERS_SCHEMA, h),
  };
}

const describe = (errors: ErrorObject[]) => errors.map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
