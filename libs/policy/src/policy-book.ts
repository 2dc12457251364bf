import type { WorkflowLimits } from '@chuishao/domain';
import { ScoringPolicies, type ScoringPolicy } from '@chuishao/scoring';

/**
 * One version of the county's assessment policy: the scorecard's weights and ranking threshold (libs/scoring) and the
 * limits of the practice's moves (延期, 申诉, 退单审定; libs/domain decides with them). Versioned as data, so a county
 * changes them by adding a version rather than a release, and the assessment office can re-score a period under
 * another version from the same facts.
 */
export interface PolicyVersion extends ScoringPolicy {
  /** In force from this instant (ISO-8601) until the next version's; null: a what-if, only named for a re-score. */
  readonly effectiveFrom: string | null;
  readonly limits: WorkflowLimits;
  readonly notes: string | null;
}

/** A version as GET /v1/policies lists it. */
export interface PolicyListing {
  version: string;
  effectiveFrom: string | null;
  inForce: boolean;
  weights: { wR: number; wS: number; wF: number };
  minRankedParts: number;
  limits: WorkflowLimits;
  notes: string | null;
}

/** The versions of a policy file (validated by loadPolicyBook), ordered by effectiveFrom, the what-ifs last. */
export class PolicyBook {
  /** The same versions as the scorecards read them. */
  readonly scoring: ScoringPolicies;

  constructor(
    /** The file the versions came from (for messages). */
    readonly source: string,
    versions: readonly PolicyVersion[],
  ) {
    this.scoring = new ScoringPolicies(versions.map(deepFreeze));
  }

  /** The version in force at `at` (epoch ms); before the first effectiveFrom, the first version in force. */
  inForceAt(at: number): PolicyVersion {
    return this.scoring.inForceAt(at) as PolicyVersion;
  }

  named(version: string): PolicyVersion | undefined {
    return this.scoring.named(version) as PolicyVersion | undefined;
  }

  all(): readonly PolicyVersion[] {
    return this.scoring.all() as readonly PolicyVersion[];
  }

  /** Every version, saying which one is in force at `at`. */
  listing(at: number): PolicyListing[] {
    const current = this.inForceAt(at).version;
    return this.all().map((v) => ({
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      inForce: v.version === current,
      weights: { ...v.weights },
      minRankedParts: v.minRankedParts,
      limits: structuredClone(v.limits),
      notes: v.notes,
    }));
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
