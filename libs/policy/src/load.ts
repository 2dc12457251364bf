import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { PolicyBook, type PolicyVersion } from './policy-book';

/** A policy file the service must not run on; each problem names its JSON path (`versions[1].weights.wR: …`). */
export class PolicyFileInvalid extends Error {
  readonly code = 'POLICY.INVALID_FILE';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid policy file ${file}: ${problems.join('; ')}`);
    this.name = 'PolicyFileInvalid';
  }
}

/** The composite score is computed exactly in integers (libs/scoring), so weights are whole percentages. */
export const WEIGHTS_TOTAL = 100;

const integer = (min: number) =>
  z
    .number({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a number') })
    .int({ error: 'must be an integer' })
    .min(min, { error: `must be an integer ≥ ${min}` });

const object = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : 'must be an object') };

const timeLimit = z.strictObject(
  {
    amount: integer(1),
    unit: z.enum(['minutes', 'hours', 'days'], { error: 'must be minutes, hours or days' }),
    clock: z.enum(['natural', 'working'], { error: 'must be natural or working' }),
  },
  object,
);

// Fits the scorecards' `policy` query parameter (at most 64 characters) and a URL without escaping.
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const versionSchema = z.strictObject(
  {
    version: z.string({ error: 'is required' }).regex(VERSION, { error: 'must be 1–64 letters, digits, dots, dashes or underscores' }),
    effectiveFrom: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant (e.g. 2027-01-01T00:00:00+08:00)' }).optional(),
    weights: z
      .strictObject({ wR: integer(0), wS: integer(0), wF: integer(0) }, object)
      .refine((w) => w.wR + w.wS + w.wF === WEIGHTS_TOTAL, { error: (issue) => `must sum to ${WEIGHTS_TOTAL} (wR + wS + wF is ${sum(issue.input)})` }),
    minRankedParts: integer(0),
    limits: z.strictObject(
      {
        maxExtensions: integer(0),
        appealWindow: timeLimit,
        returnDecision: timeLimit,
      },
      object,
    ),
    notes: z.string().optional(),
  },
  object,
);

const sum = (w: unknown) => {
  const { wR, wS, wF } = w as Record<string, number>;
  return wR + wS + wF;
};

const fileSchema = z
  .strictObject(
    {
      notes: z.string().optional(),
      versions: z.array(versionSchema, { error: 'must be a list of versions' }).min(1, { error: 'must list at least one version' }),
    },
    { error: 'must be an object with a list of versions' },
  )
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    const from = new Map<number, number>();
    file.versions.forEach((v, i) => {
      if (seen.has(v.version)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'version'], message: `repeats versions[${seen.get(v.version)}].version` });
      else seen.set(v.version, i);
      if (v.effectiveFrom === undefined) return;
      const at = Date.parse(v.effectiveFrom);
      // Two versions from the same instant: which one is in force would depend on their order in the file.
      if (from.has(at)) ctx.addIssue({ code: 'custom', path: ['versions', i, 'effectiveFrom'], message: `is versions[${from.get(at)}]'s too` });
      else from.set(at, i);
    });
    if (file.versions.length > 0 && from.size === 0)
      ctx.addIssue({ code: 'custom', path: ['versions'], message: 'no version has an effectiveFrom: one must be in force (what-ifs have none)' });
  });

/** `versions[1].weights.wR`: the path of an issue as one would point into the file. */
function pathOf(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? String(s) : `.${String(s)}`;
  return out === '' ? '(the file)' : out;
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${pathOf([...issue.path, key])}: is not a policy field`);
    return [`${pathOf(issue.path)}: ${issue.message}`];
  });
}

/** Validates parsed data; `source` names it in the error. */
export function parsePolicyBook(data: unknown, source = '<memory>'): PolicyBook {
  const result = fileSchema.safeParse(data);
  if (!result.success) throw new PolicyFileInvalid(source, problemsOf(result.error));
  const versions: PolicyVersion[] = result.data.versions.map((v) => ({
    version: v.version,
    // One notation for the instant, whatever offset the file wrote it in.
    effectiveFrom: v.effectiveFrom === undefined ? null : new Date(v.effectiveFrom).toISOString(),
    weights: v.weights,
    minRankedParts: v.minRankedParts,
    limits: v.limits,
    notes: v.notes ?? null,
  }));
  return new PolicyBook(source, versions);
}

/** Reads and validates a policy file; a file that is missing, not JSON or invalid throws PolicyFileInvalid naming it. */
export function loadPolicyBook(file: string): PolicyBook {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PolicyFileInvalid(file, [`cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PolicyFileInvalid(file, [`is not valid JSON: ${(e as Error).message}`]);
  }
  return parsePolicyBook(data, file);
}

/** The bundled policies (libs/policy/data/policies.json), found both from source (jest) and from the compiled dist/ tree. */
export function bundledPolicyFile(): string {
  const candidates = [
    path.resolve(__dirname, '../data/policies.json'), // libs/policy/src
    path.resolve(__dirname, '../../../../libs/policy/data/policies.json'), // dist/libs/policy/src
  ];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`bundled policy file not found; looked in: ${candidates.join(', ')}`);
  return file;
}

/** POLICY_FILE's versions, or the bundled ones. */
export const policyBookOf = (file: string | null): PolicyBook => loadPolicyBook(file ?? bundledPolicyFile());
