import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { limitProblems, type TimeLimit } from '@chuishao/calendar';

/** Mirrors CATEGORIES in @chuishao/domain (a test keeps them equal); kept here so the catalogue stays a leaf lib. */
export const MATTER_CATEGORIES = ['joint_enforcement', 'key_task', 'emergency', 'resident_request'] as const;
export type MatterCategory = (typeof MATTER_CATEGORIES)[number];

/** The policy areas a county's 吹哨清单 is organised by; codes carry a matching prefix. */
export const MATTER_AREAS = [
  'urban_management',
  'market_supervision',
  'ecology_environment',
  'natural_resources',
  'housing_construction',
  'transport',
  'agriculture',
  'emergency_management',
  'public_security',
  'water',
] as const;
export type MatterArea = (typeof MATTER_AREAS)[number];

/** One matter a township may whistle for: who answers it and how fast (吹哨清单 entry). */
export interface Matter {
  code: string;
  name: string;
  area: MatterArea;
  category: MatterCategory;
  departmentIds: string[];
  /** 报到: from assignment to report-in. */
  responseLimit: TimeLimit;
  /** 办结: from assignment (or from rework) to completion. */
  completionLimit: TimeLimit;
  /** 退回重办 rounds allowed after the first handling. */
  maxReworkRounds: number;
}

export interface CatalogOptions {
  /** When given, every departmentId must be one of these (e.g. the directory's department ids). */
  knownDepartmentIds?: Iterable<string>;
}

/** The catalogue failed validation; `problems` lists every problem found, not just the first. */
export class CatalogInvalid extends Error {
  readonly code = 'CATALOG.INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid catalog ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'CatalogInvalid';
  }
}

const CODE = /^[A-Z]{2,4}-\d{3}$/;
const MAX_REWORK_ROUNDS = 5;
const DEMO = 'libs/catalog/data/demo-catalog.json';
const FILE_KEYS = new Set(['version', 'notes', 'matters']);
const MATTER_KEYS = new Set(['code', 'name', 'area', 'category', 'departmentIds', 'responseLimit', 'completionLimit', 'maxReworkRounds']);

export class Catalog {
  private readonly matters: ReadonlyMap<string, Matter>;

  private constructor(
    readonly version: string,
    matters: Matter[],
  ) {
    this.matters = new Map(matters.map((m) => [m.code, deepFreeze(jsonCopy(m))]));
  }

  static load(file: string, options: CatalogOptions = {}): Catalog {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new CatalogInvalid(file, [`not valid JSON: ${e.message}`]);
      throw e; // a missing/unreadable file is not a content problem
    }
    return Catalog.parse(data, file, options);
  }

  /** Validates already-parsed data (same rules as load); `source` only labels the error. */
  static parse(data: unknown, source = '<memory>', options: CatalogOptions = {}): Catalog {
    const problems = validateCatalog(data, options);
    if (problems.length > 0) throw new CatalogInvalid(source, problems);
    const d = data as { version: string; matters: Matter[] };
    return new Catalog(d.version, d.matters);
  }

  /** The bundled demo catalogue, found both from source (jest) and from the compiled dist/ tree. */
  static demo(options: CatalogOptions = {}): Catalog {
    const candidates = [
      path.resolve(__dirname, '../data/demo-catalog.json'), // libs/catalog/src
      path.resolve(__dirname, '../../../..', DEMO), // dist/libs/catalog/src
    ];
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`demo catalog not found; looked in: ${candidates.join(', ')}`);
    return Catalog.load(file, options);
  }

  get(code: string): Matter | undefined {
    return this.matters.get(code);
  }

  /** All matters in file order (a fresh array each call; the matters themselves are frozen). */
  list(): Matter[] {
    return [...this.matters.values()];
  }
}

function validateCatalog(data: unknown, options: CatalogOptions): string[] {
  if (!isObject(data)) return ['top level: must be an object'];
  const problems: string[] = [];
  unknownKeys(data, FILE_KEYS, 'top level', problems);
  if (!nonEmptyString(data.version)) problems.push('version: must be a non-empty string');
  if (data.notes !== undefined && typeof data.notes !== 'string') problems.push('notes: must be a string when present');
  if (!Array.isArray(data.matters) || data.matters.length === 0) {
    problems.push('matters: must be a non-empty array');
    return problems;
  }
  const known = options.knownDepartmentIds ? new Set(options.knownDepartmentIds) : undefined;
  const codes = new Map<string, string>();
  data.matters.forEach((m, i) => {
    checkMatter(m, `matters[${i}]`, codes, known, problems);
  });
  return problems;
}

function checkMatter(m: unknown, at: string, codes: Map<string, string>, known: Set<string> | undefined, problems: string[]): void {
  if (!isObject(m)) return void problems.push(`${at}: must be an object`);
  unknownKeys(m, MATTER_KEYS, at, problems);
  if (typeof m.code !== 'string' || !CODE.test(m.code)) problems.push(`${at}.code: must match ${CODE}: ${JSON.stringify(m.code)}`);
  else if (codes.has(m.code)) problems.push(`${at}.code: duplicate code ${JSON.stringify(m.code)} (first at ${codes.get(m.code)})`);
  else codes.set(m.code, at);
  if (!nonEmptyString(m.name)) problems.push(`${at}.name: must be a non-empty string`);
  if (!(MATTER_AREAS as readonly unknown[]).includes(m.area)) problems.push(`${at}.area: unknown area ${JSON.stringify(m.area)}`);
  if (!(MATTER_CATEGORIES as readonly unknown[]).includes(m.category)) {
    problems.push(`${at}.category: unknown category ${JSON.stringify(m.category)} (expected ${MATTER_CATEGORIES.join(' | ')})`);
  }
  checkDepartments(m.departmentIds, `${at}.departmentIds`, known, problems);
  problems.push(...limitProblems(m.responseLimit, `${at}.responseLimit`), ...limitProblems(m.completionLimit, `${at}.completionLimit`));
  // An emergency on working time would sit unanswered overnight or over a holiday: refuse it.
  if (m.category === 'emergency') {
    for (const k of ['responseLimit', 'completionLimit'] as const) {
      const clock = (m[k] as Partial<TimeLimit> | undefined)?.clock;
      if (clock === 'working') problems.push(`${at}.${k}: an emergency must run on natural time`);
    }
  }
  const r = m.maxReworkRounds;
  if (!Number.isInteger(r) || (r as number) < 0 || (r as number) > MAX_REWORK_ROUNDS) {
    problems.push(`${at}.maxReworkRounds: must be an integer 0..${MAX_REWORK_ROUNDS}: ${JSON.stringify(r)}`);
  }
}

function checkDepartments(v: unknown, at: string, known: Set<string> | undefined, problems: string[]): void {
  if (!Array.isArray(v) || v.length === 0) return void problems.push(`${at}: must be a non-empty array`);
  const seen = new Set<string>();
  v.forEach((id, j) => {
    if (!nonEmptyString(id)) {
      problems.push(`${at}[${j}]: must be a non-empty string`);
      return;
    }
    if (seen.has(id)) problems.push(`${at}[${j}]: duplicate department ${JSON.stringify(id)}`);
    seen.add(id);
    if (known && !known.has(id)) problems.push(`${at}[${j}]: unknown department ${JSON.stringify(id)}`);
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, at: string, problems: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) problems.push(`${at}: unknown field ${JSON.stringify(k)}`);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) for (const v of Object.values(Object.freeze(o))) deepFreeze(v);
  return o;
}

// A JSON round trip, not structuredClone: the data is plain JSON, and this keeps the copies in the
// caller's realm (structuredClone's objects throw a foreign TypeError under jest's vm sandbox).
function jsonCopy<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}
