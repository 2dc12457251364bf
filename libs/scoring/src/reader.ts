import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { activeGeneration, inSnapshot, prepared, readCheckpoint } from '@chuishao/projections';
import { evaluatePart, type PartEvaluation } from './evaluate';
import { isoOf, type PartFacts } from './facts';
import { PartsMirror } from './mirror';
import { fromRow, SCORING_PROJECTION, tablesOf, type PartRow } from './projection';
import type { ScoringPolicy } from './policy';
import {
  computeScorecard,
  computeTrend,
  intervalAround,
  periodInstants,
  type DepartmentRef,
  type Scorecard,
  type ScorecardRow,
  type TrendPoint,
} from './scorecard';
import { periodOf } from './time';

export interface ScorecardRequest {
  countyId: string;
  timeZone: string;
  /** Local dates, [from, to). */
  from: string;
  to: string;
  /** Epoch ms. */
  asOf: number;
  policy: ScoringPolicy;
  departments: readonly DepartmentRef[];
}

export interface DepartmentScorecard {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  department: ScorecardRow;
  trend: TrendPoint[];
}

export interface Explanation {
  from: string;
  to: string;
  asOf: string;
  policyVersion: string;
  department: ScorecardRow;
  parts: PartEvaluation[];
}

interface CacheEntry<T> {
  lo: number;
  hi: number;
  value: T;
}

const MAX_CACHE_KEYS = 512;
/** Periods whose instants are kept (a two-year period's: ~100,000 parts, ~10 MiB). */
const MAX_PERIOD_INSTANTS = 8;
const CLOSE_OBJECT = Buffer.from('}');
const TEXT_CACHE_BYTES = 64 * 2 ** 20;

/**
 * Reads scorecards from the scoring read model, through an in-memory mirror of its parts (mirror.ts).
 * A scorecard is a pure function of (facts, period, policy, departments, asOf), and for given facts
 * it is constant while asOf stays between two consecutive "critical instants" (a fact becoming known,
 * a deadline passing): each result is cached with that interval, keyed by the generation and
 * checkpoint the facts are at. Any new event moves the checkpoint and so misses the cache.
 *
 * Call `await ready()` before the synchronous reads (it loads the mirror when needed).
 */
export class ScorecardReader {
  private readonly mirror: PartsMirror;
  private readonly cache = new Map<string, CacheEntry<unknown>[]>();
  /**
   * Per county and period, its parts' critical instants in one array (periodInstants), at the cache's checkpoint.
   * Scanning the parts themselves for them took ~5 ms a request on 14,000 parts, most of it waiting for memory
   * (a dozen small objects per part, cold between requests); one array of numbers scans in a fraction of that.
   */
  private readonly instants = new Map<string, Float64Array>();
  private cachedAt = '';
  /** Characters of cached text (explain bodies are ~1 KiB per part). */
  private textBytes = 0;

  constructor(
    private readonly db: DatabaseSync,
    options: { loadChunk?: number } = {},
  ) {
    this.mirror = new PartsMirror(db, options.loadChunk);
  }

  ready(): Promise<void> {
    return this.mirror.ready();
  }

  /** The generation and checkpoint the reader answers from (after catching up). */
  state(): { generation: number | null; checkpoint: number | null } {
    this.mirror.refresh();
    return { generation: this.mirror.generation, checkpoint: this.mirror.checkpoint };
  }

  scorecard(q: ScorecardRequest): Scorecard {
    const { rows } = this.rows(q);
    return { from: q.from, to: q.to, asOf: iso(q.asOf), policyVersion: q.policy.version, departments: rows.map((r) => ({ ...r })) };
  }

  /**
   * The same scorecard as UTF-8 JSON, `{from, to, asOf, policyVersion, countyId, departments}`: the rows'
   * serialization is cached with them, as bytes, since a scorecard is read far more often than it changes
   * (encoding the rows' text, Chinese names and all, was a tenth of a cached request's CPU).
   */
  scorecardJson(q: ScorecardRequest): Buffer {
    const cached = this.rows(q);
    cached.json ??= Buffer.from(JSON.stringify(cached.rows));
    const head = { from: q.from, to: q.to, asOf: iso(q.asOf), policyVersion: q.policy.version, countyId: q.countyId };
    return Buffer.concat([Buffer.from(`${JSON.stringify(head).slice(0, -1)},"departments":`), cached.json, CLOSE_OBJECT]);
  }

  /**
   * Text rendered from the period's parts at asOf (an explain body's parts), cached like the scorecards
   * for the asOf interval over which it cannot change, within TEXT_CACHE_BYTES. `render` must not
   * depend on asOf except through the parts' facts and deadlines (what stableInterval bounds).
   */
  cachedText(name: string, q: ScorecardRequest, render: () => string): string {
    const entry = this.cached(`text|${name}|${key(q)}`, q, () => ({ text: null as string | null }));
    if (entry.text === null) {
      const text = render();
      if (this.textBytes + text.length > TEXT_CACHE_BYTES) return text;
      this.textBytes += text.length;
      entry.text = text;
    }
    return entry.text;
  }

  private rows(q: ScorecardRequest): { rows: ScorecardRow[]; json?: Buffer } {
    return this.cached(`card|${key(q)}`, q, (parts) => ({ rows: computeScorecard(parts, optionsOf(q)).departments }));
  }

  department(q: ScorecardRequest, departmentId: string): DepartmentScorecard {
    const value = this.cached(`dept|${departmentId}|${key(q)}`, q, (parts) => ({
      department: computeScorecard(parts, optionsOf(q)).departments.find((r) => r.departmentId === departmentId)!,
      trend: computeTrend(parts, optionsOf(q), departmentId),
    }));
    // Rows hold only primitives: a shallow copy keeps callers from touching the cached ones.
    return {
      from: q.from,
      to: q.to,
      asOf: iso(q.asOf),
      policyVersion: q.policy.version,
      department: { ...value.department },
      trend: value.trend.map((t) => ({ ...t })),
    };
  }

  /** Every part counted on the department's row, with what it counted toward. Not cached. */
  explain(q: ScorecardRequest, departmentId: string): Explanation {
    const department = this.scorecard(q).departments.find((r) => r.departmentId === departmentId)!;
    const period = periodOf(q.from, q.to, q.timeZone);
    const parts = this.mirror
      .period(q.countyId, period.fromMs, period.toMs)
      .filter((p) => p.departmentId === departmentId)
      .map((p) => evaluatePart(p, q.asOf))
      .filter((e): e is PartEvaluation => e !== null);
    return { from: q.from, to: q.to, asOf: iso(q.asOf), policyVersion: q.policy.version, department, parts };
  }

  /**
   * The county's parts assigned in the period and known at asOf, straight from SQL in one snapshot
   * (for tools and tests; the routes read through the mirror).
   */
  load(q: ScorecardRequest, departmentId?: string): { parts: PartFacts[]; generation: number; checkpoint: number | null } {
    const period = periodOf(q.from, q.to, q.timeZone);
    return inSnapshot(this.db, () => {
      const generation = activeGeneration(this.db, SCORING_PROJECTION);
      const checkpoint = readCheckpoint(this.db, SCORING_PROJECTION);
      const args: SQLInputValue[] = [q.countyId, period.fromMs, period.toMs, q.asOf];
      let sql = `SELECT * FROM ${tablesOf(generation).parts} WHERE county_id = ? AND assigned_at >= ? AND assigned_at < ? AND assigned_known <= ?`;
      if (departmentId !== undefined) {
        sql += ' AND department_id = ?';
        args.push(departmentId);
      }
      const rows = prepared(this.db, sql).all(...args) as unknown as PartRow[];
      return { parts: rows.map(fromRow), generation, checkpoint };
    });
  }

  private cached<T>(name: string, q: ScorecardRequest, compute: (parts: PartFacts[]) => T): T {
    this.mirror.refresh();
    const at = `${this.mirror.generation}|${this.mirror.checkpoint}`;
    if (at !== this.cachedAt) {
      this.cache.clear();
      this.instants.clear();
      this.textBytes = 0;
      this.cachedAt = at;
    }
    const hit = this.cache.get(name)?.find((e) => e.lo <= q.asOf && q.asOf < e.hi);
    if (hit) return hit.value as T;
    const period = periodOf(q.from, q.to, q.timeZone);
    // All the period's parts, known at asOf or not: those not yet known bound the interval too.
    const parts = this.mirror.period(q.countyId, period.fromMs, period.toMs);
    const value = compute(parts);
    const { lo, hi } = intervalAround(this.periodInstants(q.countyId, period.fromMs, period.toMs, parts), q.asOf);
    if (this.cache.size >= MAX_CACHE_KEYS && !this.cache.has(name)) {
      this.cache.clear();
      this.textBytes = 0;
    }
    const entries = this.cache.get(name) ?? [];
    entries.push({ lo, hi, value });
    // Text dropped with its entry is not subtracted: the count only over-estimates, and resets with the cache.
    if (entries.length > 16) entries.shift();
    this.cache.set(name, entries);
    return value;
  }

  private periodInstants(countyId: string, fromMs: number, toMs: number, parts: PartFacts[]): Float64Array {
    const name = `${countyId}|${fromMs}|${toMs}`;
    let instants = this.instants.get(name);
    if (!instants) {
      // A few periods are asked for at a time (this month, this year): more are scanned afresh.
      if (this.instants.size >= MAX_PERIOD_INSTANTS) this.instants.clear();
      this.instants.set(name, (instants = periodInstants(parts)));
    }
    return instants;
  }
}

function optionsOf(q: ScorecardRequest) {
  return { from: q.from, to: q.to, asOf: q.asOf, policy: q.policy, departments: q.departments, timeZone: q.timeZone };
}

function key(q: ScorecardRequest): string {
  return [q.countyId, q.timeZone, q.from, q.to, q.policy.version, q.departments.map((d) => `${d.id}:${d.name}`).join(',')].join('|');
}

const iso = isoOf;
