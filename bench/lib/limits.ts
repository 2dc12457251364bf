/**
 * Rate limits stay on in the benchmarks (every request is counted) but out of reach: a benchmark's clients are a
 * handful of users and would meet the per-user budgets within a second. The environment may set real ones.
 */
export const UNREACHED_LIMITS: Readonly<Record<string, string>> = Object.fromEntries(
  ['RATE_LIMIT_USER_READS', 'RATE_LIMIT_USER_COMMANDS', 'RATE_LIMIT_ORG', 'RATE_LIMIT_HEAVY', 'RATE_LIMIT_IP'].map((v) => [v, '100000000']),
);
