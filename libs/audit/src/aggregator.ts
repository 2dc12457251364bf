import { callerOf, ROUTES_MAX, type Refusal, type RefusalsAggregate } from './refusal';

export interface AggregationLimits {
  /** Refusals of one caller recorded one by one per window; the rest of the window is counted. */
  perCaller: number;
  /**
   * Refusals recorded one by one per window, all callers together (a flood from many addresses): beyond it, every
   * refusal of the window is counted. Also the most (caller, outcome) counts kept apart; beyond that, callers fold into `*`.
   */
  total: number;
  /** The window, in milliseconds (default one minute: the limits are "per minute"). */
  windowMs?: number;
}

interface Bucket {
  aggregate: RefusalsAggregate;
  routes: Set<string>;
}

/**
 * Decides, refusal by refusal, whether it is recorded on its own or counted, and hands out the counts of every window
 * that has ended. Pure: time comes from the refusals and from the caller's `now`, so a fake clock drives it in tests.
 *
 * Memory is bounded whatever arrives: at most `total` callers' allowances and `total` + one per outcome counts.
 */
export class RefusalAggregator {
  private readonly windowMs: number;
  private window: number | null = null;
  private recorded = 0;
  private readonly perCaller = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly closed: RefusalsAggregate[] = [];

  constructor(private readonly limits: AggregationLimits) {
    if (!(limits.perCaller >= 0 && limits.total >= 1)) throw new RangeError('perCaller must be >= 0 and total >= 1');
    this.windowMs = limits.windowMs ?? 60_000;
  }

  /** true: record this refusal on its own; false: it is counted into its window's aggregate. */
  admit(refusal: Refusal): boolean {
    const at = Date.parse(refusal.at);
    // A clock that stepped back (NTP) counts into the open window rather than reopening a closed one.
    this.roll(at);
    const caller = callerOf(refusal);
    const used = this.perCaller.get(caller) ?? 0;
    if (used < this.limits.perCaller && this.recorded < this.limits.total) {
      this.perCaller.set(caller, used + 1);
      this.recorded++;
      return true;
    }
    this.count(refusal, caller);
    return false;
  }

  /** The aggregates of every window that ended by `now`, each once. */
  takeEnded(now: number): RefusalsAggregate[] {
    this.roll(now);
    return this.closed.splice(0);
  }

  /** Every aggregate, the open window's too (shutting down: its count so far). */
  takeAll(): RefusalsAggregate[] {
    this.close();
    return this.closed.splice(0);
  }

  private roll(at: number): void {
    const window = Math.floor(at / this.windowMs) * this.windowMs;
    if (this.window === null) this.window = window;
    else if (window > this.window) {
      this.close();
      this.window = window;
    }
  }

  private close(): void {
    for (const { aggregate } of this.buckets.values()) this.closed.push(aggregate);
    this.buckets.clear();
    this.perCaller.clear();
    this.recorded = 0;
  }

  private count(r: Refusal, caller: string): void {
    let key = `${caller}\n${r.outcome}`;
    let bucket = this.buckets.get(key);
    const anonymous = !bucket && this.buckets.size >= this.limits.total;
    if (anonymous) {
      key = `*\n${r.outcome}`;
      bucket = this.buckets.get(key);
    }
    if (!bucket) {
      const start = this.window!;
      const who = anonymous
        ? { caller: '*', orgId: null, userId: null, role: null, countyId: null, ip: null }
        : { caller, orgId: r.orgId, userId: r.userId, role: r.role, countyId: r.countyId, ip: r.ip };
      bucket = {
        routes: new Set(),
        aggregate: {
          windowStart: new Date(start).toISOString(),
          windowEnd: new Date(start + this.windowMs).toISOString(),
          ...who,
          status: r.status,
          outcome: r.outcome,
          count: 0,
          firstAt: r.at,
          lastAt: r.at,
          firstCorrelationId: r.correlationId,
          lastCorrelationId: r.correlationId,
          routes: [],
        },
      };
      this.buckets.set(key, bucket);
    }
    const a = bucket.aggregate;
    a.count++;
    a.lastAt = r.at;
    a.lastCorrelationId = r.correlationId;
    const route = `${r.method} ${r.route}`;
    if (bucket.routes.size < ROUTES_MAX && !bucket.routes.has(route)) {
      bucket.routes.add(route);
      a.routes.push(route);
    }
  }
}
