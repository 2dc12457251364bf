import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Directory, DirectoryInvalid, ORG_TYPES, type Org } from '@chuishao/directory';

const CJK = /[\u4e00-\u9fff]/;

// Created at import time: describe bodies (which build fixtures) run before any beforeAll.
const dir = mkdtempSync(path.join(tmpdir(), 'chuishao-directory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFixture(name: string, data: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

const county = { id: 'county-a', name: '甲县', timeZone: 'Asia/Shanghai' };
const org = (id: string, type = 'township', countyId = 'county-a'): Record<string, unknown> => ({
  id,
  name: `机构${id}`,
  type,
  countyId,
});
const valid = () => ({ version: 't1', counties: [county], orgs: [org('twp-a'), org('dept-a', 'department')] });

function problemsOf(data: unknown): string[] {
  const file = writeFixture(`f-${Math.random().toString(36).slice(2)}.json`, data);
  try {
    Directory.load(file);
  } catch (e) {
    expect(e).toBeInstanceOf(DirectoryInvalid);
    expect((e as DirectoryInvalid).code).toBe('DIRECTORY.INVALID');
    return [...(e as DirectoryInvalid).problems];
  }
  throw new Error('expected DirectoryInvalid');
}

describe('demo directory', () => {
  const demo = Directory.demo();
  const ofType = (orgs: Org[], type: string) => orgs.filter((o) => o.type === type);

  it('has a version and one county in Asia/Shanghai', () => {
    expect(demo.version).toMatch(/\S/);
    expect(demo.county('county-qingchuan')).toEqual({ id: 'county-qingchuan', name: '青川县', timeZone: 'Asia/Shanghai' });
  });

  it('meets the minimums: >=10 townships, >=15 departments', () => {
    expect(ofType(demo.list(), 'township').length).toBeGreaterThanOrEqual(10);
    expect(ofType(demo.list(), 'department').length).toBeGreaterThanOrEqual(15);
  });

  it('has exactly one command centre and one assessment office per county', () => {
    const countyIds = new Set(demo.list().map((o) => o.countyId));
    expect(countyIds.size).toBeGreaterThan(0);
    for (const id of countyIds) {
      const inCounty = demo.list().filter((o) => o.countyId === id);
      expect(ofType(inCounty, 'command_centre')).toHaveLength(1);
      expect(ofType(inCounty, 'assessment_office')).toHaveLength(1);
    }
    expect(demo.roleOf('cc-qingchuan')).toBe('command_centre');
    expect(demo.roleOf('assess-qingchuan')).toBe('assessment_office');
  });

  it('names every org in Chinese', () => {
    const notChinese = demo.list().filter((o) => !CJK.test(o.name) || (o.shortName !== undefined && !CJK.test(o.shortName)));
    expect(notChinese).toEqual([]);
  });

  it('keeps the ids other code relies on', () => {
    for (const id of ['twp-chengguan', 'dept-enforcement', 'dept-market', 'dept-ecology', 'dept-police', 'dept-water']) {
      expect(demo.get(id)).toBeDefined();
    }
  });

  it('lists orgs in a stable order, and callers cannot corrupt it', () => {
    const first = demo.list();
    first.reverse();
    expect(demo.list().map((o) => o.id)).toEqual(
      Directory.demo()
        .list()
        .map((o) => o.id),
    );
    expect(() => {
      (demo.get('twp-chengguan') as Org).type = 'department';
    }).toThrow(TypeError);
  });
});

describe('lookups', () => {
  const d = Directory.load(writeFixture('lookups.json', valid()));

  it('get returns the org, and undefined for an unknown id', () => {
    expect(d.get('twp-a')).toMatchObject({ id: 'twp-a', type: 'township', countyId: 'county-a' });
    expect(d.get('nope')).toBeUndefined();
  });

  it('roleOf is the org type; unknown → undefined', () => {
    expect(d.roleOf('twp-a')).toBe('township');
    expect(d.roleOf('dept-a')).toBe('department');
    expect(d.roleOf('nope')).toBeUndefined();
  });

  it('countyOf resolves through the org; unknown org or county → undefined', () => {
    expect(d.countyOf('dept-a')).toEqual(county);
    expect(d.countyOf('nope')).toBeUndefined();
    expect(d.county('county-b')).toBeUndefined();
  });

  it('isType checks the type; unknown → false', () => {
    expect(d.isType('twp-a', 'township')).toBe(true);
    expect(d.isType('twp-a', 'department')).toBe(false);
    expect(d.isType('nope', 'township')).toBe(false);
  });

  it('list() follows file order', () => {
    expect(d.list().map((o) => o.id)).toEqual(['twp-a', 'dept-a']);
  });

  it('supports several counties in one file', () => {
    const two = Directory.parse({
      version: 't2',
      counties: [county, { id: 'county-b', name: '乙县', timeZone: 'Asia/Urumqi' }],
      orgs: [org('twp-a'), org('twp-b', 'township', 'county-b')],
    });
    expect(two.countyOf('twp-a')?.id).toBe('county-a');
    expect(two.countyOf('twp-b')).toEqual({ id: 'county-b', name: '乙县', timeZone: 'Asia/Urumqi' });
  });
});

describe('load rejects an invalid directory', () => {
  it('accepts the valid baseline (so the failures below are caused by the change)', () => {
    expect(Directory.load(writeFixture('valid.json', valid())).list()).toHaveLength(2);
    const edge = valid();
    edge.orgs[0].id = 'ab';
    edge.orgs[1].id = `9${'x-'.repeat(31)}y`; // 64 characters: the longest id allowed
    expect(Directory.parse(edge).get(edge.orgs[1].id as string)).toBeDefined();
    expect(ORG_TYPES).toEqual(['township', 'department', 'command_centre', 'assessment_office']);
  });

  it('duplicate org id', () => {
    const data = valid();
    data.orgs.push(org('twp-a', 'department'));
    expect(problemsOf(data)).toEqual(['orgs[2].id: duplicate id "twp-a" (first at orgs[0])']);
  });

  it('unknown type', () => {
    const data = valid();
    data.orgs[1].type = 'bureau';
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^orgs\[1\]\.type: unknown org type "bureau"/)]);
  });

  it('unknown county', () => {
    const data = valid();
    data.orgs[0].countyId = 'county-z';
    expect(problemsOf(data)).toEqual(['orgs[0].countyId: unknown county "county-z"']);
  });

  it.each(['Twp-A', 'a', 'twp_a', '-twp', 'x'.repeat(65), 42])('bad id %p', (id) => {
    const data = valid();
    data.orgs[0].id = id;
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^orgs\[0\]\.id: must match/)]);
  });

  it('empty name, bad time zone, unknown field', () => {
    const data = valid() as Record<string, any>;
    data.orgs[0].name = '  ';
    data.counties[0] = { ...county, timeZone: 'China/Beijing' };
    data.orgs[1].shortname = '乙';
    expect(problemsOf(data)).toEqual([
      'counties[0].timeZone: not an IANA time zone: "China/Beijing"',
      'orgs[0].name: must be a non-empty string',
      'orgs[1]: unknown field "shortname"',
    ]);
  });

  it('reports every problem at once, not just the first', () => {
    const data = {
      version: '',
      counties: [county],
      orgs: [org('twp-a'), org('twp-a', 'department'), org('dept-b', 'bureau'), org('dept-c', 'department', 'county-z'), org('BAD')],
    };
    expect(problemsOf(data)).toEqual([
      'version: must be a non-empty string',
      'orgs[1].id: duplicate id "twp-a" (first at orgs[0])',
      expect.stringMatching(/^orgs\[2\]\.type: unknown org type "bureau"/),
      'orgs[3].countyId: unknown county "county-z"',
      expect.stringMatching(/^orgs\[4\]\.id: must match/),
    ]);
  });

  it('malformed JSON and wrong shapes are DirectoryInvalid too', () => {
    expect(problemsOf('{ not json')).toEqual([expect.stringMatching(/^not valid JSON/)]);
    expect(problemsOf([])).toEqual(['top level: must be an object']);
    expect(problemsOf({ version: 'v', orgs: 'x' })).toEqual(['counties: must be an array', 'orgs: must be an array']);
  });

  it('the error message lists the problems for logs', () => {
    const file = writeFixture('msg.json', { ...valid(), version: 7 });
    expect(() => Directory.load(file)).toThrow(/invalid directory .*msg\.json:\n {2}- version: must be a non-empty string/);
  });
});
