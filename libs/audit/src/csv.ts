import type { AuditItem } from './reader';

export const AUDIT_CSV_COLUMNS = [
  'at',
  'kind',
  'count',
  'windowStart',
  'windowEnd',
  'countyId',
  'orgId',
  'userId',
  'role',
  'ip',
  'method',
  'route',
  'caseId',
  'status',
  'outcome',
  'detail',
  'correlationId',
  'id',
] as const satisfies readonly (keyof AuditItem)[];

/**
 * RFC 4180 CSV with a header row, UTF-8 (with a BOM, so Excel reads the Chinese text as such). A cell that a
 * spreadsheet would take for a formula (=, +, -, @, tab, CR) is prefixed with a quote: user ids and details are the
 * callers' text.
 */
export function auditCsv(items: readonly AuditItem[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const item of items) lines.push(AUDIT_CSV_COLUMNS.map((c) => cell(item[c])).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
