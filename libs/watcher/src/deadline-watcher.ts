import type { DatabaseSync } from 'node:sqlite';
import { activeGeneration, CASE_INBOX, inboxTables, inSnapshot } from '@chuishao/projections';

export interface WatcherOptions {
  /** How often to look for clocks that ran out; a simulated clock advance pokes it at once. */
  intervalMs?: number;
  /** Cases checked per round. */
  batchSize?: number;
  onError?: (error: unknown, caseId: string) => void;
  /**
   * Re-basing: cases whose running clocks rest on a provisional year that the calendar in force now has
   * officially get `rebase` (a command that records DeadlinesRebased once, and nothing when repeated).
   */
  rebase?: { officialYears: () => readonly string[]; run: (caseId: string, countyId: string) => Promise<void> };
}

interface Due {
  case_id: string;
  county_id: string;
}

/**
 * The deadline watcher (提醒 → 催办 → 督办). It keeps no state of its own: the inbox read model says
 * which cases have a clock due (`next_check_at`, itself checkpointed), and each check is a command
 * decided on the case's events, so a rung is recorded exactly once, after crashes and restarts too,
 * and breaches that passed while the watcher was down are found on its first round.
 */
export class DeadlineWatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private again = false;

  constructor(
    private readonly readModels: DatabaseSync,
    private readonly now: () => Date,
    private readonly check: (caseId: string, countyId: string) => Promise<void>,
    private readonly options: WatcherOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.poke();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Look now (e.g. the simulated clock moved), or right after the round in progress. */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.poke();
      } else {
        this.timer = setTimeout(() => this.poke(), this.options.intervalMs ?? 1000);
      }
    });
  }

  /** One pass: re-base what a newly official year changed, then check every case with a clock due by now. */
  private async round(): Promise<void> {
    const batch = this.options.batchSize ?? 200;
    if (this.options.rebase) await this.rebaseRound(this.options.rebase, batch);
    const due = inSnapshot(this.readModels, () => {
      const { cases } = inboxTables(activeGeneration(this.readModels, CASE_INBOX));
      return this.readModels
        .prepare(`SELECT case_id, county_id FROM ${cases} WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?`)
        .all(this.now().toISOString(), batch) as unknown as Due[];
    });
    await this.each(due, (row) => this.check(row.case_id, row.county_id));
  }

  /**
   * The inbox lists, per case, the provisional years its running clocks rest on. Cases listing a year
   * that is official now are re-based; as the inbox catches up they drop out of the list, and one that
   * reaches the inbox late (written before a restart) is found on a later round.
   */
  private async rebaseRound(rebase: NonNullable<WatcherOptions['rebase']>, batch: number): Promise<void> {
    const official = new Set(rebase.officialYears());
    const cases = inSnapshot(this.readModels, () => {
      const { cases: table } = inboxTables(activeGeneration(this.readModels, CASE_INBOX));
      const keys = this.readModels.prepare(`SELECT DISTINCT provisional_years AS years FROM ${table} WHERE provisional_years IS NOT NULL`).all() as {
        years: string;
      }[];
      const stale = keys.map((k) => k.years).filter((years) => years.split(',').some((y) => official.has(y)));
      const select = this.readModels.prepare(`SELECT case_id, county_id FROM ${table} WHERE provisional_years = ? LIMIT ?`);
      return stale.flatMap((years) => select.all(years, batch) as unknown as Due[]).slice(0, batch);
    });
    await this.each(cases, (row) => rebase.run(row.case_id, row.county_id));
  }

  private async each(rows: Due[], act: (row: Due) => Promise<void>): Promise<void> {
    for (const row of rows) {
      if (this.stopped) return;
      try {
        await act(row);
      } catch (error) {
        (this.options.onError ?? ((e, id) => console.error(`deadline check of case ${id} failed:`, e)))(error, row.case_id);
      }
    }
  }
}
