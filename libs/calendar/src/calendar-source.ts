import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BusinessCalendar } from './business-calendar';
import { validateYearFile, type CalendarData, type CalendarYearFile } from './calendar-data';
import { CalendarInvalid } from './errors';

export interface CalendarSourceOptions {
  /** CALENDAR_FILE: the whole calendar in the bundled format; the bundled national one when absent. */
  file?: string | null;
  /** CALENDAR_DIR: official arrangements one per file, `<YYYY>.json`, added to the file's years. */
  dir?: string | null;
}

const YEAR_FILE = /^(\d{4})\.json$/;

/**
 * Reads the calendar an operator configured: the calendar file, plus a yearly file for each official
 * arrangement in the folder. Everything is validated before anything is used; a problem anywhere refuses
 * the whole calendar (CalendarInvalid, each problem naming the year and the field). The version is the
 * file's, followed by each yearly file's (`cn-national-2026.1+cn-2027.1`), so a deadline names exactly the
 * arrangements it was computed on.
 */
export function loadCalendar(options: CalendarSourceOptions = {}): BusinessCalendar {
  const file = options.file ?? BusinessCalendar.bundledFile();
  const base = readJson(file) as CalendarData;
  if (!options.dir) return BusinessCalendar.parse(base, file);
  const problems: string[] = [];
  if (!existsSync(options.dir)) throw new CalendarInvalid(options.dir, ['CALENDAR_DIR: no such folder']);
  const years: Record<string, unknown> = { ...(isObject(base) && isObject(base.years) ? base.years : {}) };
  const versions: string[] = [];
  for (const name of readdirSync(options.dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const m = YEAR_FILE.exec(name);
    if (!m) {
      problems.push(`${name}: a yearly file is named <YYYY>.json`);
      continue;
    }
    const year = m[1];
    const at = path.join(options.dir, name);
    let data: unknown;
    try {
      data = readJson(at);
    } catch (e) {
      problems.push(...(e instanceof CalendarInvalid ? e.problems.map((p) => `${name}: ${p}`) : [`${name}: ${(e as Error).message}`]));
      continue;
    }
    const fileProblems = validateYearFile(data, year);
    if (fileProblems.length) {
      problems.push(...fileProblems.map((p) => `${name}: ${p}`));
      continue;
    }
    if (years[year]) {
      problems.push(`years.${year}: given both in ${path.basename(file)} and in ${name}; keep one`);
      continue;
    }
    const { year: _year, version, ...arrangement } = data as CalendarYearFile;
    years[year] = arrangement;
    versions.push(version);
  }
  if (problems.length) throw new CalendarInvalid(options.dir, problems);
  const merged = isObject(base) ? { ...base, version: [base.version, ...versions].join('+'), years } : base;
  return BusinessCalendar.parse(merged, file);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new CalendarInvalid(file, [`not valid JSON: ${e.message}`]);
    throw new CalendarInvalid(file, [`cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed file's object, checked field by field by the caller
function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface CalendarRefusal {
  at: string;
  source: string;
  problems: readonly string[];
}

/**
 * The calendar in force, reloadable while serving. A load that fails validation is refused and the
 * calendar in force stays; what was refused is kept for /v1/health and the log. Each calendar that comes
 * into force is written to `snapshotFile` (when given), so a restart with a broken file keeps serving on the
 * last good calendar instead of refusing every whistle.
 */
export class CalendarRegistry {
  private calendar: BusinessCalendar;
  private refusal: CalendarRefusal | null = null;
  private readonly listeners: Array<(calendar: BusinessCalendar, previous: BusinessCalendar) => void> = [];

  private constructor(
    private readonly options: CalendarSourceOptions & { snapshotFile?: string | null; now?: () => Date },
    calendar: BusinessCalendar,
  ) {
    this.calendar = calendar;
  }

  /** Loads the configured calendar; if it is refused, the snapshot of the last good one, or throws when there is none. */
  static open(options: CalendarSourceOptions & { snapshotFile?: string | null; now?: () => Date }): CalendarRegistry {
    try {
      const registry = new CalendarRegistry(options, loadCalendar(options));
      registry.snapshot();
      return registry;
    } catch (error) {
      const snapshot = options.snapshotFile;
      if (!(error instanceof CalendarInvalid) || !snapshot || !existsSync(snapshot)) throw error;
      const registry = new CalendarRegistry(options, BusinessCalendar.load(snapshot));
      registry.refusal = { at: (options.now?.() ?? new Date()).toISOString(), source: error.source, problems: error.problems };
      return registry;
    }
  }

  get current(): BusinessCalendar {
    return this.calendar;
  }

  /** The last load that was refused since the calendar in force came into force, or null. */
  get lastRefusal(): CalendarRefusal | null {
    return this.refusal;
  }

  onChange(listener: (calendar: BusinessCalendar, previous: BusinessCalendar) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the calendar again; a refused one leaves the one in force. */
  reload(): { ok: true; version: string; changed: boolean } | { ok: false; refusal: CalendarRefusal } {
    let next: BusinessCalendar;
    try {
      next = loadCalendar(this.options);
    } catch (error) {
      if (!(error instanceof CalendarInvalid)) throw error;
      this.refusal = { at: (this.options.now?.() ?? new Date()).toISOString(), source: error.source, problems: error.problems };
      return { ok: false, refusal: this.refusal };
    }
    const previous = this.calendar;
    const changed = JSON.stringify(next.toData()) !== JSON.stringify(previous.toData());
    this.calendar = next;
    this.refusal = null;
    this.snapshot();
    if (changed) for (const l of this.listeners) l(next, previous);
    return { ok: true, version: next.version, changed };
  }

  private snapshot(): void {
    const file = this.options.snapshotFile;
    if (!file) return;
    // Written aside and renamed: a crash mid-write never leaves half a calendar to start from.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.calendar.toData(), null, 1));
    renameSync(tmp, file);
  }
}
