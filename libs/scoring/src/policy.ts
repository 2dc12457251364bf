/**
 * The scoring policy (scoring.md "Policy"): weights of the three rates and the ranking threshold,
 * versioned. Deadlines are not here: they are stamped on every assignment and rework event by the
 * case policy (libs/domain), so a scorecard reads them from the events it counts.
 */
export interface ScoringWeights {
  /** weight of responseRate 响应率 */
  readonly wR: number;
  /** weight of resolutionRate 解决率 */
  readonly wS: number;
  /** weight of satisfactionRate 满意率 */
  readonly wF: number;
}

export interface ScoringPolicy {
  readonly version: string;
  /**
   * The policy is in force for scorecards whose asOf is at or after this instant (ISO-8601), until the
   * next policy's effectiveFrom. A scorecard recomputed for an earlier asOf therefore uses the policy
   * that was in force then: adding a policy never rewrites an earlier scorecard. Null: never in force by itself, only
   * named for a re-score (a what-if: "what if the weights were 40/30/30?").
   */
  readonly effectiveFrom: string | null;
  /** Non-negative integers, so the composite score can be computed and rounded exactly. */
  readonly weights: ScoringWeights;
  /** Departments with fewer responseDue parts than this are listed with rank null. */
  readonly minRankedParts: number;
}

export const DEFAULT_SCORING_POLICY: ScoringPolicy = Object.freeze({
  version: 'scoring-2026.1',
  effectiveFrom: '2000-01-01T00:00:00.000Z',
  weights: Object.freeze({ wR: 30, wS: 35, wF: 35 }),
  minRankedParts: 5,
});

export class InvalidScoringPolicy extends Error {
  readonly code = 'SCORING.INVALID_POLICY';
}

export function validatePolicy(policy: ScoringPolicy): ScoringPolicy {
  const problems: string[] = [];
  if (!policy.version || typeof policy.version !== 'string') problems.push('version must be a non-empty string');
  if (policy.effectiveFrom !== null && Number.isNaN(Date.parse(policy.effectiveFrom))) problems.push('effectiveFrom must be an ISO-8601 instant');
  for (const [name, w] of Object.entries(policy.weights)) {
    if (!Number.isSafeInteger(w) || w < 0) problems.push(`weights.${name} must be a non-negative integer, got ${String(w)}`);
  }
  if (!Number.isSafeInteger(policy.minRankedParts) || policy.minRankedParts < 0) problems.push('minRankedParts must be a non-negative integer');
  if (problems.length > 0) throw new InvalidScoringPolicy(`scoring policy ${policy.version}: ${problems.join('; ')}`);
  return policy;
}

/** The versioned policies, ordered by effectiveFrom (the what-ifs, without one, last). */
export class ScoringPolicies {
  private readonly list: readonly ScoringPolicy[];
  private readonly inForce: readonly ScoringPolicy[];

  constructor(policies: readonly ScoringPolicy[] = [DEFAULT_SCORING_POLICY]) {
    if (policies.length === 0) throw new InvalidScoringPolicy('at least one scoring policy is needed');
    policies.forEach(validatePolicy);
    const versions = new Set(policies.map((p) => p.version));
    if (versions.size !== policies.length) throw new InvalidScoringPolicy('scoring policy versions must be unique');
    const from = (p: ScoringPolicy) => (p.effectiveFrom === null ? Number.POSITIVE_INFINITY : Date.parse(p.effectiveFrom));
    this.list = [...policies].sort((a, b) => from(a) - from(b));
    this.inForce = this.list.filter((p) => p.effectiveFrom !== null);
    if (this.inForce.length === 0) throw new InvalidScoringPolicy('at least one scoring policy needs an effectiveFrom (one must be in force)');
  }

  /** The policy in force at `asOf` (epoch ms); before the first policy, the first one. A what-if is never in force. */
  inForceAt(asOf: number): ScoringPolicy {
    let current = this.inForce[0];
    for (const p of this.inForce) if (Date.parse(p.effectiveFrom!) <= asOf) current = p;
    return current;
  }

  /** A re-score under a named policy; undefined when there is no such version. */
  named(version: string): ScoringPolicy | undefined {
    return this.list.find((p) => p.version === version);
  }

  all(): readonly ScoringPolicy[] {
    return this.list;
  }
}
