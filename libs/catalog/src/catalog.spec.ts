import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CATEGORIES } from '@chuishao/domain';
import { Catalog, CatalogInvalid, MATTER_AREAS, MATTER_CATEGORIES, type Matter } from './index';

const CJK = /[\u4e00-\u9fff]/;
const PREFIX: Record<string, string> = {
  urban_management: 'UM',
  market_supervision: 'MS',
  ecology_environment: 'EE',
  natural_resources: 'NR',
  housing_construction: 'HC',
  transport: 'TR',
  agriculture: 'AG',
  emergency_management: 'EM',
  public_security: 'PS',
  water: 'WR',
};

// Read the directory file itself (not the Directory class) so this test checks the data both libs ship.
const directoryFile = path.resolve(__dirname, '../../directory/data/demo-directory.json');
const departmentIds: string[] = JSON.parse(readFileSync(directoryFile, 'utf8'))
  .orgs.filter((o: { type: string }) => o.type === 'department')
  .map((o: { id: string }) => o.id);

const dir = mkdtempSync(path.join(tmpdir(), 'chuishao-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo catalogue', () => {
  const demo = Catalog.demo();
  const matters = demo.list();

  it('is versioned and has at least 30 matters', () => {
    expect(demo.version).toMatch(/\S/);
    expect(matters.length).toBeGreaterThanOrEqual(30);
  });

  it('spans all ten areas, each with at least two matters, codes prefixed by area', () => {
    expect(MATTER_AREAS).toHaveLength(10);
    for (const area of MATTER_AREAS) {
      expect(matters.filter((m) => m.area === area).length).toBeGreaterThanOrEqual(2);
    }
    expect(matters.filter((m) => !m.code.startsWith(`${PREFIX[m.area]}-`)).map((m) => m.code)).toEqual([]);
  });

  it('names the matters the brief asks for', () => {
    const names = matters.map((m) => m.name).join('|');
    for (const n of [
      '违章搭建',
      '占道经营',
      '渣土乱倒',
      '无证',
      '食品安全',
      '河道排污',
      '秸秆',
      '噪声扰民',
      '违法占',
      '非法采砂',
      '危房',
      '扬尘',
      '燃气安全',
      '道路塌陷',
      '超限',
      '动物疫情',
      '耕地撂荒',
      '森林火情',
      '山洪地质灾害',
      '危化品泄漏',
      '群体性纠纷',
      '河堤管涌',
      '供水中断',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('names every matter in Chinese and uses valid codes', () => {
    expect(matters.filter((m) => !CJK.test(m.name)).map((m) => m.code)).toEqual([]);
    expect(matters.filter((m) => !/^[A-Z]{2,4}-\d{3}$/.test(m.code)).map((m) => m.code)).toEqual([]);
  });

  it('uses only department ids of the demo directory', () => {
    expect(departmentIds.length).toBeGreaterThanOrEqual(15);
    const unknown = matters.flatMap((m) => m.departmentIds.filter((id) => !departmentIds.includes(id)).map((id) => `${m.code}:${id}`));
    expect(unknown).toEqual([]);
    expect(() => Catalog.demo({ knownDepartmentIds: departmentIds })).not.toThrow();
  });

  it('emergencies report in within 30 natural minutes and complete on natural hours', () => {
    const emergencies = matters.filter((m) => m.category === 'emergency');
    expect(emergencies.map((m) => m.code)).toEqual(expect.arrayContaining(['EM-001', 'EM-002', 'EM-003']));
    for (const m of emergencies) {
      expect(m.responseLimit).toEqual({ amount: 30, unit: 'minutes', clock: 'natural' });
      expect(m.completionLimit).toMatchObject({ unit: 'hours', clock: 'natural' });
    }
  });

  it('森林火情, 山洪地质灾害险情 and 危化品泄漏 are emergencies of emergency management', () => {
    for (const n of ['森林火情', '山洪地质灾害险情', '危化品泄漏']) {
      expect(matters.find((m) => m.name === n)).toMatchObject({ category: 'emergency', area: 'emergency_management' });
    }
  });

  it('ordinary matters report in within 2 working hours and complete in 1..15 working days', () => {
    const ordinary = matters.filter((m) => m.responseLimit.clock === 'working');
    expect(ordinary.length).toBeGreaterThan(20);
    for (const m of ordinary) {
      expect(m.responseLimit.unit).toBe('hours');
      expect(m.responseLimit.amount).toBeLessThanOrEqual(2);
      expect(m.completionLimit).toMatchObject({ unit: 'days', clock: 'working' });
      expect(m.completionLimit.amount).toBeGreaterThanOrEqual(1);
      expect(m.completionLimit.amount).toBeLessThanOrEqual(15);
    }
  });

  it('joint enforcement matters name at least two departments', () => {
    expect(matters.filter((m) => m.category === 'joint_enforcement' && m.departmentIds.length < 2).map((m) => m.code)).toEqual([]);
  });

  it('uses every category, and the categories match the domain', () => {
    expect([...MATTER_CATEGORIES]).toEqual([...CATEGORIES]);
    for (const c of MATTER_CATEGORIES) expect(matters.some((m) => m.category === c)).toBe(true);
  });

  it('get finds by code; unknown → undefined; matters cannot be changed by callers', () => {
    expect(demo.get('UM-001')).toMatchObject({ code: 'UM-001', area: 'urban_management' });
    expect(demo.get('XX-999')).toBeUndefined();
    const m = demo.get('UM-001') as Matter;
    expect(() => m.departmentIds.push('dept-x')).toThrow(TypeError);
    expect(() => {
      (m.responseLimit as { amount: number }).amount = 99;
    }).toThrow(TypeError);
    demo.list().reverse();
    expect(demo.list()[0].code).toBe(matters[0].code);
  });
});

describe('Catalog validation', () => {
  const matter = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    code: 'UM-001',
    name: '占道经营',
    area: 'urban_management',
    category: 'resident_request',
    departmentIds: ['dept-a'],
    responseLimit: { amount: 2, unit: 'hours', clock: 'working' },
    completionLimit: { amount: 3, unit: 'days', clock: 'working' },
    maxReworkRounds: 2,
    ...over,
  });

  function problemsOf(data: unknown, options = {}): string[] {
    try {
      Catalog.parse(data, '<test>', options);
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogInvalid);
      expect((e as CatalogInvalid).code).toBe('CATALOG.INVALID');
      return [...(e as CatalogInvalid).problems];
    }
    throw new Error('expected CatalogInvalid');
  }

  it('accepts the baseline (so the failures below come from the change)', () => {
    const c = Catalog.parse({ version: 't1', matters: [matter(), matter({ code: 'UM-002', maxReworkRounds: 0 })] });
    expect(c.list().map((m) => m.code)).toEqual(['UM-001', 'UM-002']);
    expect(c.version).toBe('t1');
    expect(Catalog.parse({ version: 't1', matters: [matter({ maxReworkRounds: 5 })] }).get('UM-001')?.maxReworkRounds).toBe(5);
  });

  it('reports every problem at once', () => {
    const data = {
      version: '',
      matters: [
        matter(),
        matter({ code: 'UM-001' }),
        matter({ code: 'um-3', category: 'urgent', area: 'space' }),
        matter({ code: 'MS-001', departmentIds: [], maxReworkRounds: 6 }),
        matter({ code: 'MS-002', responseLimit: { amount: 0, unit: 'weeks', clock: 'working' }, completionLimit: null }),
        matter({ code: 'EM-001', category: 'emergency', departmentIds: ['dept-a', 'dept-zz', 'dept-a'] }),
        matter({ code: 'EM-002', name: ' ', maxReworkRounds: 1.5, note: 'x' }),
      ],
    };
    expect(problemsOf(data, { knownDepartmentIds: ['dept-a'] })).toEqual([
      'version: must be a non-empty string',
      'matters[1].code: duplicate code "UM-001" (first at matters[0])',
      expect.stringMatching(/^matters\[2\]\.code: must match/),
      'matters[2].area: unknown area "space"',
      expect.stringMatching(/^matters\[2\]\.category: unknown category "urgent"/),
      'matters[3].departmentIds: must be a non-empty array',
      'matters[3].maxReworkRounds: must be an integer 0..5: 6',
      'matters[4].responseLimit.amount: must be a positive integer: 0',
      'matters[4].responseLimit.unit: must be one of minutes | hours | days: "weeks"',
      'matters[4].completionLimit: must be an object',
      'matters[5].departmentIds[1]: unknown department "dept-zz"',
      'matters[5].departmentIds[2]: duplicate department "dept-a"',
      'matters[5].responseLimit: an emergency must run on natural time',
      'matters[5].completionLimit: an emergency must run on natural time',
      'matters[6]: unknown field "note"',
      'matters[6].name: must be a non-empty string',
      'matters[6].maxReworkRounds: must be an integer 0..5: 1.5',
    ]);
  });

  it('checks department ids only when known ids are given', () => {
    const data = { version: 't1', matters: [matter({ departmentIds: ['dept-zz'] })] };
    expect(() => Catalog.parse(data)).not.toThrow();
    expect(problemsOf(data, { knownDepartmentIds: new Set(['dept-a']) })).toEqual(['matters[0].departmentIds[0]: unknown department "dept-zz"']);
  });

  it('wrong shapes, malformed JSON, and the message for logs', () => {
    expect(problemsOf([])).toEqual(['top level: must be an object']);
    expect(problemsOf({ version: 'v', matters: [] })).toEqual(['matters: must be a non-empty array']);
    expect(problemsOf({ version: 'v', matters: ['x'], extra: 1 })).toEqual(['top level: unknown field "extra"', 'matters[0]: must be an object']);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => Catalog.load(bad)).toThrow(/invalid catalog .*bad\.json:\n {2}- not valid JSON/);
    const empty = path.join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ version: 7, matters: [matter()] }));
    expect(() => Catalog.load(empty)).toThrow(/invalid catalog .*empty\.json:\n {2}- version: must be a non-empty string/);
  });
});
