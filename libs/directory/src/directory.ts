import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ORG_TYPES = ['township', 'department', 'command_centre', 'assessment_office'] as const;
export type OrgType = (typeof ORG_TYPES)[number];
/** What an org may do in the workflow. Today it is the org type; this alias is the one place to change that. */
export type Role = OrgType;

export interface Org {
  id: string;
  name: string;
  type: OrgType;
  countyId: string;
  shortName?: string;
}

export interface County {
  id: string;
  name: string;
  timeZone: string;
}

/** The directory file failed validation; `problems` lists every problem found, not just the first. */
export class DirectoryInvalid extends Error {
  readonly code = 'DIRECTORY.INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid directory ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DirectoryInvalid';
  }
}

const ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
const DEMO = 'libs/directory/data/demo-directory.json';
const ORG_KEYS = new Set(['id', 'name', 'type', 'countyId', 'shortName']);
const COUNTY_KEYS = new Set(['id', 'name', 'timeZone']);
const FILE_KEYS = new Set(['version', 'counties', 'orgs']);

export class Directory {
  private readonly orgs: ReadonlyMap<string, Org>;
  private readonly counties: ReadonlyMap<string, County>;

  private constructor(
    readonly version: string,
    counties: County[],
    orgs: Org[],
  ) {
    // Map keeps insertion order, so list() follows the file's order.
    this.counties = new Map(counties.map((c) => [c.id, Object.freeze({ ...c })]));
    this.orgs = new Map(orgs.map((o) => [o.id, Object.freeze({ ...o })]));
  }

  static load(file: string): Directory {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      if (e instanceof SyntaxError) throw new DirectoryInvalid(file, [`not valid JSON: ${e.message}`]);
      throw e; // a missing/unreadable file is not a content problem
    }
    return Directory.parse(data, file);
  }

  /** Validates already-parsed data (same rules as load); `source` only labels the error. */
  static parse(data: unknown, source = '<memory>'): Directory {
    const problems: string[] = [];
    if (!isObject(data)) throw new DirectoryInvalid(source, ['top level: must be an object']);
    unknownKeys(data, FILE_KEYS, 'top level', problems);
    if (!nonEmptyString(data.version)) problems.push('version: must be a non-empty string');

    const counties = arrayOf(data.counties, 'counties', problems);
    const countyIds = new Map<string, string>();
    counties.forEach((c, i) => {
      const at = `counties[${i}]`;
      if (!isObject(c)) {
        problems.push(`${at}: must be an object`);
        return;
      }
      unknownKeys(c, COUNTY_KEYS, at, problems);
      checkId(c.id, at, countyIds, problems);
      if (!nonEmptyString(c.name)) problems.push(`${at}.name: must be a non-empty string`);
      if (!validTimeZone(c.timeZone)) problems.push(`${at}.timeZone: not an IANA time zone: ${JSON.stringify(c.timeZone)}`);
    });

    const orgs = arrayOf(data.orgs, 'orgs', problems);
    const orgIds = new Map<string, string>();
    orgs.forEach((o, i) => {
      const at = `orgs[${i}]`;
      if (!isObject(o)) {
        problems.push(`${at}: must be an object`);
        return;
      }
      unknownKeys(o, ORG_KEYS, at, problems);
      checkId(o.id, at, orgIds, problems);
      if (!nonEmptyString(o.name)) problems.push(`${at}.name: must be a non-empty string`);
      if (!(ORG_TYPES as readonly unknown[]).includes(o.type)) {
        problems.push(`${at}.type: unknown org type ${JSON.stringify(o.type)} (expected ${ORG_TYPES.join(' | ')})`);
      }
      if (typeof o.countyId !== 'string') problems.push(`${at}.countyId: must be a string`);
      else if (!countyIds.has(o.countyId)) problems.push(`${at}.countyId: unknown county ${JSON.stringify(o.countyId)}`);
      if (o.shortName !== undefined && !nonEmptyString(o.shortName)) {
        problems.push(`${at}.shortName: must be a non-empty string when present`);
      }
    });

    if (problems.length > 0) throw new DirectoryInvalid(source, problems);
    return new Directory(data.version as string, counties as County[], orgs as Org[]);
  }

  /** The bundled demo county, found both from source (jest) and from the compiled dist/ tree. */
  static demo(): Directory {
    const candidates = [
      path.resolve(__dirname, '../data/demo-directory.json'), // libs/directory/src
      path.resolve(__dirname, '../../../..', DEMO), // dist/libs/directory/src
    ];
    const file = candidates.find((f) => existsSync(f));
    if (!file) throw new Error(`demo directory not found; looked in: ${candidates.join(', ')}`);
    return Directory.load(file);
  }

  /** All orgs in file order (a fresh array each call). */
  list(): Org[] {
    return [...this.orgs.values()];
  }

  get(id: string): Org | undefined {
    return this.orgs.get(id);
  }

  isType(id: string, type: OrgType): boolean {
    return this.orgs.get(id)?.type === type;
  }

  county(id: string): County | undefined {
    return this.counties.get(id);
  }

  countyOf(orgId: string): County | undefined {
    const org = this.orgs.get(orgId);
    return org && this.counties.get(org.countyId);
  }

  roleOf(orgId: string): Role | undefined {
    return this.orgs.get(orgId)?.type;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

function arrayOf(v: unknown, at: string, problems: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  problems.push(`${at}: must be an array`);
  return [];
}

// Rejecting unknown keys catches misspelt optional fields (e.g. "shortname") that would otherwise vanish silently.
function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, at: string, problems: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) problems.push(`${at}: unknown field ${JSON.stringify(k)}`);
}

/** `seen` maps each id to where it first appeared, so a duplicate names both places. */
function checkId(id: unknown, at: string, seen: Map<string, string>, problems: string[]): void {
  if (typeof id !== 'string' || !ID.test(id)) {
    problems.push(`${at}.id: must match ${ID}: ${JSON.stringify(id)}`);
    return;
  }
  const first = seen.get(id);
  if (first) problems.push(`${at}.id: duplicate id ${JSON.stringify(id)} (first at ${first})`);
  else seen.set(id, at);
}

function validTimeZone(tz: unknown): boolean {
  if (!nonEmptyString(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
