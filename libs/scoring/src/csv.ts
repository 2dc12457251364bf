import { ROW_FIELDS, type Scorecard, type ScorecardRow } from './scorecard';

/** UTF-8 byte order mark: without it Excel reads a UTF-8 CSV as the local code page and garbles 中文. */
export const BOM = '\uFEFF';

/** RFC 4180: quote a cell holding a comma, quote, CR or LF; null is an empty cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A text cell starting with = + - @ would be run as a formula by spreadsheet programs.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvOf(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${BOM + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The scorecard's rows as CSV: a header row of the field names, one row per department. */
export function scorecardCsv(card: Scorecard): string {
  return csvOf(
    ROW_FIELDS,
    card.departments.map((row: ScorecardRow) => ROW_FIELDS.map((f) => row[f])),
  );
}
