import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WORKFLOW_LIMITS } from '@chuishao/domain';
import { DEFAULT_SCORING_POLICY } from '@chuishao/scoring';
import { bundledPolicyFile, loadPolicyBook, parsePolicyBook, PolicyFileInvalid } from './load';

const LIMITS = {
  maxExtensions: 2,
  appealWindow: { amount: 3, unit: 'days', clock: 'working' },
  returnDecision: { amount: 2, unit: 'hours', clock: 'working' },
};
const version = (over: Record<string, unknown> = {}) => ({
  version: 'v1',
  effectiveFrom: '2026-01-01T00:00:00+08:00',
  weights: { wR: 30, wS: 35, wF: 35 },
  minRankedParts: 5,
  limits: LIMITS,
  ...over,
});

/** The problems a file is refused with (fails the test if it is accepted). */
function problems(data: unknown): readonly string[] {
  try {
    parsePolicyBook(data, 'policies.json');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileInvalid);
    expect((error as Error).message).toMatch(/^invalid policy file policies\.json: /);
    return (error as PolicyFileInvalid).problems;
  }
  throw new Error(`accepted ${JSON.stringify(data)}`);
}

describe('the policy file', () => {
  it('the bundled one serves what the service served before it: scoring-2026.1 with the built-in weights and limits', () => {
    const book = loadPolicyBook(bundledPolicyFile());
    const now = Date.parse('2026-12-04T00:00:00Z');
    const inForce = book.inForceAt(now);
    expect(inForce).toMatchObject({
      version: DEFAULT_SCORING_POLICY.version,
      effectiveFrom: DEFAULT_SCORING_POLICY.effectiveFrom,
      weights: DEFAULT_SCORING_POLICY.weights,
      minRankedParts: DEFAULT_SCORING_POLICY.minRankedParts,
      limits: DEFAULT_WORKFLOW_LIMITS,
    });
    // The what-if is never in force, not even far in the future; it is there to be named.
    expect(book.inForceAt(Date.parse('2999-01-01T00:00:00Z')).version).toBe('scoring-2026.1');
    expect(book.named('what-if-40-30-30')).toMatchObject({ effectiveFrom: null, weights: { wR: 40, wS: 30, wF: 30 } });
    expect(book.listing(now).map((v) => [v.version, v.effectiveFrom, v.inForce])).toEqual([
      ['scoring-2026.1', '2000-01-01T00:00:00.000Z', true],
      ['what-if-40-30-30', null, false],
    ]);
    expect(book.scoring.named('what-if-40-30-30')?.weights).toEqual({ wR: 40, wS: 30, wF: 30 });
  });

  it('orders versions by effectiveFrom (any offset, stated in UTC), the what-ifs last; each is in force until the next', () => {
    const book = parsePolicyBook({
      versions: [
        version({ version: 'what-if', effectiveFrom: undefined, weights: { wR: 100, wS: 0, wF: 0 } }),
        version({ version: 'v2', effectiveFrom: '2027-01-01T00:00:00+08:00', weights: { wR: 50, wS: 25, wF: 25 }, limits: { ...LIMITS, maxExtensions: 1 } }),
        version({ version: 'v1' }),
      ],
    });
    expect(book.all().map((v) => [v.version, v.effectiveFrom])).toEqual([
      ['v1', '2025-12-31T16:00:00.000Z'],
      ['v2', '2026-12-31T16:00:00.000Z'],
      ['what-if', null],
    ]);
    expect(book.inForceAt(Date.parse('2026-12-31T15:59:59.999Z')).version).toBe('v1');
    expect(book.inForceAt(Date.parse('2026-12-31T16:00:00.000Z'))).toMatchObject({ version: 'v2', limits: { maxExtensions: 1 } });
    // Before the first: the first (a scorecard of an earlier period still has a policy).
    expect(book.inForceAt(0).version).toBe('v1');
    expect(Object.isFrozen(book.named('v2')!.limits.appealWindow)).toBe(true);
  });

  it.each([
    [
      'a weight that is not an integer',
      { versions: [version({ weights: { wR: 30.5, wS: 35, wF: 34.5 } })] },
      ['versions[0].weights.wR: must be an integer', 'versions[0].weights.wF: must be an integer'],
    ],
    [
      'a negative weight',
      { versions: [version(), version({ version: 'v2', effectiveFrom: undefined, weights: { wR: -10, wS: 55, wF: 55 } })] },
      ['versions[1].weights.wR: must be an integer ≥ 0'],
    ],
    [
      'weights that do not sum to 100',
      { versions: [version({ weights: { wR: 30, wS: 30, wF: 30 } })] },
      ['versions[0].weights: must sum to 100 (wR + wS + wF is 90)'],
    ],
    ['a missing weight', { versions: [version({ weights: { wR: 50, wS: 50 } })] }, ['versions[0].weights.wF: is required']],
    ['a weight as text', { versions: [version({ weights: { wR: '40', wS: 30, wF: 30 } })] }, ['versions[0].weights.wR: must be a number']],
    ['an unknown field (a typo)', { versions: [version({ minRankParts: 3 })] }, ['versions[0].minRankParts: is not a policy field']],
    ['a negative minRankedParts', { versions: [version({ minRankedParts: -1 })] }, ['versions[0].minRankedParts: must be an integer ≥ 0']],
    [
      'a maxExtensions that is not a count',
      { versions: [version({ limits: { ...LIMITS, maxExtensions: 1.5 } })] },
      ['versions[0].limits.maxExtensions: must be an integer'],
    ],
    [
      'an appeal window in weeks',
      { versions: [version({ limits: { ...LIMITS, appealWindow: { amount: 1, unit: 'weeks', clock: 'working' } } })] },
      ['versions[0].limits.appealWindow.unit: must be minutes, hours or days'],
    ],
    [
      'a return decision of no time',
      { versions: [version({ limits: { ...LIMITS, returnDecision: { amount: 0, unit: 'hours', clock: 'natural' } } })] },
      ['versions[0].limits.returnDecision.amount: must be an integer ≥ 1'],
    ],
    ['missing limits', { versions: [version({ limits: undefined })] }, ['versions[0].limits: is required']],
    [
      'an effectiveFrom that is no instant',
      { versions: [version({ effectiveFrom: '2027-01-01' })] },
      ['versions[0].effectiveFrom: must be an ISO-8601 instant (e.g. 2027-01-01T00:00:00+08:00)'],
    ],
    [
      'a version name with a space',
      { versions: [version({ version: 'what if' })] },
      ['versions[0].version: must be 1–64 letters, digits, dots, dashes or underscores'],
    ],
    ['a repeated version', { versions: [version(), version({ effectiveFrom: '2027-01-01T00:00:00Z' })] }, ['versions[1].version: repeats versions[0].version']],
    [
      'two versions in force from the same instant',
      { versions: [version(), version({ version: 'v2', effectiveFrom: '2025-12-31T16:00:00Z' })] },
      ["versions[1].effectiveFrom: is versions[0]'s too"],
    ],
    [
      'only what-ifs',
      { versions: [version({ effectiveFrom: undefined })] },
      ['versions: no version has an effectiveFrom: one must be in force (what-ifs have none)'],
    ],
    ['no versions', { versions: [] }, ['versions: must list at least one version']],
    ['not an object', [version()], ['(the file): must be an object with a list of versions']],
  ])('refuses %s, naming its path', (_, data, expected) => {
    expect(problems(data)).toEqual(expected);
  });

  describe('from a file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'chuishao-policy-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the file: not JSON, missing, or invalid', () => {
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "versions": [');
      expect(() => loadPolicyBook(broken)).toThrow(new RegExp(`^invalid policy file ${broken}: is not valid JSON`));
      expect(() => loadPolicyBook(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot be read \(ENOENT\)$/);
      const bad = join(dir, 'bad.json');
      const data = JSON.parse(readFileSync(bundledPolicyFile(), 'utf8'));
      data.versions[1].weights.wR = 'forty';
      writeFileSync(bad, JSON.stringify(data));
      expect(() => loadPolicyBook(bad)).toThrow(`invalid policy file ${bad}: versions[1].weights.wR: must be a number`);
    });
  });
});
