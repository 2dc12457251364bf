import { z } from 'zod';

/** A configuration the process must not start with; `problems` holds one line per variable at fault. */
export class ConfigError extends Error {
  readonly code: string = 'CONFIG.INVALID';
  constructor(
    readonly problems: readonly string[],
    subject = 'configuration',
  ) {
    super(
      problems.length === 1
        ? `invalid ${subject}: ${problems[0]}`
        : `invalid ${subject} (${problems.length} problems):\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Never echoed in a message: only their length is shown. */
const SECRETS = new Set(['JWT_SECRET', 'KAFKA_SASL_PASSWORD', 'OPERATOR_TOKEN']);

/** `FOO=` (as docker-compose's `${FOO:-}` writes it) means the same as leaving FOO out. */
const blankIsUnset = (value: unknown) => (value === '' ? undefined : value);

/** One environment variable: a blank value counts as unset, then `schema` (with its default) applies. */
export const variable = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsUnset, schema);

const list = (values: readonly string[]) => (values.length <= 2 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${list(values)}` });

/** Compared without regard to case, as the values were before they were validated. */
export const upperCase = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), schema);
export const lowerCase = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), schema);

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const error = max === Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`;
  // Digits only: Number() would also take ' ', '0x10' and '1e3'.
  return z
    .string({ error })
    .regex(/^-?\d+$/, { error })
    .transform(Number)
    .pipe(z.number().min(min, { error }).max(max, { error }));
};

export const flag = () => lowerCase(z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true'));

/** A condition between variables, checked only when the variables it reads are valid on their own. */
export interface Rule<T> {
  reads: readonly (keyof T & string)[];
  /** The variable named in the message. */
  at: keyof T & string;
  message: string;
  holds(values: T): boolean;
}

export function withRules<S extends z.ZodObject>(schema: S, rules: readonly Rule<z.output<S>>[]): S {
  return rules.reduce(
    (s, rule) =>
      s.refine((values) => rule.holds(values as z.output<S>), {
        path: [rule.at],
        message: rule.message,
        // Zod skips refinements once any field failed; these still run, so every problem is reported at once.
        when: (payload) => !payload.issues.some((issue) => (rule.reads as readonly PropertyKey[]).includes(issue.path?.[0] as PropertyKey)),
      }),
    schema,
  );
}

/** Parses `env` or lists every problem, each naming its variable and what it accepts. */
export function problemsOf<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): { ok: true; value: z.output<S> } | { ok: false; problems: string[] } {
  const result = schema.safeParse(env);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return `${shown(name, env[name])}: ${issue.message}`;
  });
  return { ok: false, problems: [...new Set(problems)] };
}

function shown(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') return `${name} (not set)`;
  if (SECRETS.has(name)) return `${name} (${raw.length} characters, not shown)`;
  return `${name}=${JSON.stringify(raw)}`;
}
