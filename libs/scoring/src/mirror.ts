import type { DatabaseSync } from 'node:sqlite';
import { activeGeneration, inSnapshot, prepared, readCheckpoint } from '@chuishao/projections';
import type { PartFacts } from './facts';
import { fromRow, SCORING_PROJECTION, tablesOf, type PartRow } from './projection';

const CHUNK = 5000;

/**
 * The scoring parts in the reader's memory, kept equal to the read model at its checkpoint. Reading
 * tens of thousands of rows per request would cost ~20 µs each (node:sqlite materialisation), so the
 * reader loads them once (in chunks, yielding, so the event loop keeps serving), then per request
 * reads only the rows written since its checkpoint (`position > checkpoint`, indexed), in the same
 * snapshot as the new checkpoint. Rows are never deleted within a generation; a new generation (after
 * a rebuild) is loaded afresh.
 */
export class PartsMirror {
  generation: number | null = null;
  /** The read model's checkpoint the mirror equals (null: nothing projected yet). */
  checkpoint: number | null = null;
  private readonly byId = new Map<string, PartFacts>();
  /** Per county, ordered by assignment instant (then holding id). */
  private readonly byCounty = new Map<string, PartFacts[]>();
  private loading: Promise<void> | null = null;
  /** The file's data_version and this connection's change count when the mirror last caught up. */
  private dataVersion = '';

  constructor(
    private readonly db: DatabaseSync,
    private readonly chunk = CHUNK,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  /** Loads the active generation if the mirror holds another one, then catches up. */
  async ready(): Promise<void> {
    while (activeGeneration(this.db, SCORING_PROJECTION) !== this.generation) {
      this.loading ??= this.loadAll().finally(() => (this.loading = null));
      await this.loading;
    }
    this.refresh();
  }

  /** Catches up with the rows written since the mirror's checkpoint (synchronous; a full load if the generation moved). */
  refresh(): void {
    // Nothing committed to the file since the last refresh, by any connection: nothing to read (one cheap query per request).
    const seen = prepared(this.db, 'SELECT (SELECT data_version FROM pragma_data_version) AS v, total_changes() AS t').get() as { v: number; t: number };
    const version = `${seen.v}:${seen.t}`;
    if (this.generation !== null && version === this.dataVersion) return;
    const stale = inSnapshot(this.db, () => {
      const generation = activeGeneration(this.db, SCORING_PROJECTION);
      if (generation !== this.generation) return true;
      const checkpoint = readCheckpoint(this.db, SCORING_PROJECTION);
      if (checkpoint !== this.checkpoint) {
        const rows = prepared(this.db, `SELECT * FROM ${tablesOf(generation).parts} WHERE position > ?`).all(this.checkpoint ?? -1) as unknown as PartRow[];
        for (const row of rows) this.apply(row);
        this.checkpoint = checkpoint;
      }
      return false;
    });
    if (stale) this.loadAllSync();
    else this.dataVersion = version;
  }

  /** The county's parts assigned in [fromMs, toMs), in assignment order. */
  period(countyId: string, fromMs: number, toMs: number): PartFacts[] {
    const list = this.byCounty.get(countyId) ?? [];
    return list.slice(lowerBound(list, fromMs), lowerBound(list, toMs));
  }

  private reset(generation: number | null): void {
    this.byId.clear();
    this.byCounty.clear();
    this.generation = generation;
    this.checkpoint = null;
  }

  /** Chunked full load: rows read before the checkpoint c0 then re-read by the catch-up if they changed since. */
  private async loadAll(): Promise<void> {
    const generation = activeGeneration(this.db, SCORING_PROJECTION);
    const c0 = readCheckpoint(this.db, SCORING_PROJECTION);
    this.reset(null);
    const table = tablesOf(generation).parts;
    try {
      // In the order a scorecard reads them (its county index), so each part's objects are allocated next to its
      // neighbours': a scorecard for an uncached asOf walks a period's parts in that order, mostly waiting for memory.
      const page = prepared(
        this.db,
        `SELECT rowid AS rowid_, * FROM ${table} WHERE (county_id, assigned_at, rowid) > (?, ?, ?) ORDER BY county_id, assigned_at, rowid LIMIT ?`,
      );
      for (let after: [string, number, number] = ['', Number.MIN_SAFE_INTEGER, 0]; ; ) {
        const rows = page.all(...after, this.chunk) as unknown as (PartRow & { rowid_: number })[];
        for (const row of rows) this.apply(row);
        if (rows.length < this.chunk) break;
        const last = rows[rows.length - 1];
        after = [last.county_id, last.assigned_at, last.rowid_];
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // The generation was switched and dropped under the load: start again on the new one.
      if (activeGeneration(this.db, SCORING_PROJECTION) === generation) throw error;
      this.reset(null);
      return;
    }
    this.generation = generation;
    // Every row written after c0 has a position above it: the catch-up re-reads those.
    this.checkpoint = c0;
    this.refresh();
  }

  private loadAllSync(): void {
    inSnapshot(this.db, () => {
      const generation = activeGeneration(this.db, SCORING_PROJECTION);
      this.reset(generation);
      const rows = prepared(this.db, `SELECT * FROM ${tablesOf(generation).parts} ORDER BY county_id, assigned_at, rowid`).all() as unknown as PartRow[];
      for (const row of rows) this.apply(row);
      this.checkpoint = readCheckpoint(this.db, SCORING_PROJECTION);
    });
  }

  private apply(row: PartRow): void {
    const fresh = fromRow(row);
    // Ids of counties, townships and departments repeat on every part: keep one copy of each.
    fresh.countyId = this.intern(fresh.countyId);
    fresh.townshipId = this.intern(fresh.townshipId);
    fresh.departmentId = this.intern(fresh.departmentId);
    if (fresh.fromDepartmentId) fresh.fromDepartmentId = this.intern(fresh.fromDepartmentId);
    // Most parts have no reviews yet, no moved deadline, no move of the practice: one shared empty value each instead
    // of four to six objects per part, which a scorecard for an uncached asOf would read from memory part by part.
    shareEmpties(fresh);
    const existing = this.byId.get(fresh.holdingId);
    if (existing) {
      Object.assign(existing, fresh); // assignment instant and county never change
      return;
    }
    this.byId.set(fresh.holdingId, fresh);
    let list = this.byCounty.get(fresh.countyId);
    if (!list) this.byCounty.set(fresh.countyId, (list = []));
    const last = list[list.length - 1];
    if (!last || before(last, fresh)) list.push(fresh);
    else list.splice(insertionPoint(list, fresh), 0, fresh);
  }

  private readonly strings = new Map<string, string>();
  private intern(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size < 100_000) this.strings.set(s, s);
    return s;
  }
}

const before = (a: PartFacts, b: PartFacts) => a.assigned.at < b.assigned.at || (a.assigned.at === b.assigned.at && a.holdingId < b.holdingId);

/** First index whose assignment instant is >= t. */
function lowerBound(list: PartFacts[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].assigned.at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertionPoint(list: PartFacts[], p: PartFacts): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid], p)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NONE: never[] = Object.freeze([]) as unknown as never[];
const NO_MOVES: PartFacts['moves'] = Object.freeze({ lead: false, extensions: NONE, returnsRejected: NONE, appeals: NONE });
const LEAD_ONLY: PartFacts['moves'] = Object.freeze({ lead: true, extensions: NONE, returnsRejected: NONE, appeals: NONE });

/** The mirror's parts are only read (evaluated, explained): frozen shared empties are safe there, and a write would throw. */
function shareEmpties(p: PartFacts): void {
  if (p.reviews.length === 0) p.reviews = NONE;
  if (p.deadlineChanges.length === 0) p.deadlineChanges = NONE;
  const m = p.moves;
  if (m.extensions.length === 0 && m.returnsRejected.length === 0 && m.appeals.length === 0) p.moves = m.lead ? LEAD_ONLY : NO_MOVES;
}
