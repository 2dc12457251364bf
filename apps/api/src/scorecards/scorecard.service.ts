import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { Actor, FieldError } from '@chuishao/domain';
import type { Directory, Org } from '@chuishao/directory';
import type { EventStore } from '@chuishao/event-store';
import { parseLocalDate, SCORING_PROJECTION, ScorecardReader, ScoringPolicies, type ScorecardRequest } from '@chuishao/scoring';
import type { Clock } from '@chuishao/runtime';
import { Problem } from '../http/problem';
import type { ReadModels } from '../read-models';
import { CLOCK, DIRECTORY, EVENT_STORE, READ_MODELS } from '../tokens';
import type { ScorecardPeriodDto } from './scorecard-params';

/** The scoring policies under this token: the app module provides the policy book's (POLICY_FILE); absent, the built-in policy. */
export const SCORING_POLICIES = Symbol('ScoringPolicies');

/** The longest period one request may ask for: two years (annual assessment with last year beside it). */
export const MAX_PERIOD_DAYS = 731;

/** How long an explicit asOf may wait for a store whose clock lags the service's (then 503). */
const HORIZON_WAIT_MS = 3_000;

/**
 * Who may read what, and the request every scorecard route builds:
 * - every authenticated org reads the ranked scorecards of its own county (they are published there);
 *   another county's: 403;
 * - a department's trend likewise; an unknown department: 404 (the directory is public, so this leaks nothing);
 * - `explain` (every counted part, with its case) only for the assessment office, the command centre, and
 *   the department itself; anyone else of the county: 403 — the department's existence and its scorecard
 *   are public within the county, only the per-case detail is not.
 */
@Injectable()
export class ScorecardService implements OnApplicationBootstrap {
  readonly reader: ScorecardReader;
  private readonly policies: ScoringPolicies;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DIRECTORY) readonly directory: Directory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(SCORING_POLICIES) policies?: ScoringPolicies,
  ) {
    this.reader = new ScorecardReader(readModels.db);
    this.policies = policies ?? new ScoringPolicies();
  }

  /** Loads the reader's mirror of the scoring parts in the background (chunked), so the first request does not pay for it. */
  onApplicationBootstrap(): void {
    this.reader
      .ready()
      .catch((error) => new Logger('scorecards').warn(`scoring read model not loaded yet: ${error instanceof Error ? error.message : String(error)}`));
  }

  county(actor: Actor, countyId?: string): string {
    const id = countyId ?? actor.countyId;
    if (id !== actor.countyId) throw Problem.forbidden(`scorecards are published within a county: you may read those of ${actor.countyId}`);
    return id;
  }

  department(actor: Actor, departmentId: string): Org {
    const org = this.directory.get(departmentId);
    if (org?.type !== 'department') throw Problem.notFound(`no department ${departmentId}`, 'SCORECARD.DEPARTMENT_NOT_FOUND');
    this.county(actor, org.countyId);
    return org;
  }

  assertMayExplain(actor: Actor, departmentId: string): void {
    if (actor.role === 'assessment_office' || actor.role === 'command_centre') return;
    if (actor.role === 'department' && actor.orgId === departmentId) return;
    throw Problem.forbidden('explain is for the assessment office, the command centre, and the department itself');
  }

  /** Validates the period, asOf and policy together, then waits until the read model holds every event recorded so far. */
  async request(params: ScorecardPeriodDto, countyId: string): Promise<ScorecardRequest> {
    const county = this.directory.county(countyId);
    if (!county) throw Problem.notFound(`no county ${countyId}`, 'SCORECARD.COUNTY_NOT_FOUND');
    const errors: FieldError[] = [];
    const from = parseLocalDate(params.from)!;
    const to = parseLocalDate(params.to)!;
    const days = (Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / 86_400_000;
    if (days <= 0) errors.push({ field: 'to', message: 'must be after from (the period is [from, to))' });
    else if (days > MAX_PERIOD_DAYS) errors.push({ field: 'to', message: `the period may span at most ${MAX_PERIOD_DAYS} days` });
    const now = this.clock.now().getTime();
    const asked = params.asOf === undefined ? null : Date.parse(params.asOf);
    if (asked !== null && asked > now) errors.push({ field: 'asOf', message: `is in the future (now is ${new Date(now).toISOString()})` });
    const named = params.policy === undefined ? null : this.policies.named(params.policy);
    if (params.policy !== undefined && !named)
      errors.push({
        field: 'policy',
        message: `no scoring policy ${params.policy}; known: ${this.policies
          .all()
          .map((p) => p.version)
          .join(', ')}`,
      });
    if (errors.length > 0) throw Problem.badRequest(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);

    // The scorecard states an asOf up to which every commit is visible and waits until the read model holds the head
    // at that instant: then it counts exactly the events recorded by asOf, as a recomputation later will.
    const { asOf, position } = await this.visibleAsOf(asked ?? now, asked === null);
    if (position !== null) await this.readModels.waitFor(SCORING_PROJECTION, position);
    await this.reader.ready();
    const policy = named ?? this.policies.inForceAt(asOf);
    const departments = this.directory
      .list()
      .filter((o) => o.type === 'department' && o.countyId === countyId)
      .map((o) => ({ id: o.id, name: o.name }));
    return { countyId, timeZone: county.timeZone, from: params.from, to: params.to, asOf, policy: policy!, departments };
  }

  /**
   * The store's horizon covering `asOf`. The embedded store's covers the clock's now, so always; a store stamping by
   * its own clock (EventStoreDB) may lag ours by a little: "now" is then its horizon, and an explicit asOf waits for it.
   */
  private async visibleAsOf(asOf: number, isNow: boolean): Promise<{ asOf: number; position: number | null }> {
    const deadline = Date.now() + HORIZON_WAIT_MS;
    for (;;) {
      const horizon = await this.store.horizon();
      const visible = Date.parse(horizon.recordedAt);
      if (asOf <= visible) return { asOf, position: horizon.position };
      if (isNow) return { asOf: visible, position: horizon.position };
      if (Date.now() >= deadline)
        throw Problem.readModelBehind(`the event store has recorded up to ${horizon.recordedAt}, not yet ${new Date(asOf).toISOString()}; retry shortly`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(asOf - visible, 50)));
    }
  }
}
