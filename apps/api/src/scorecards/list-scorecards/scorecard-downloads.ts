import ExcelJS from 'exceljs';
import { BOM, csvCell } from '@chuishao/scoring';
import { displayWidth, LEGEND_TITLE, type ClerkColumn, type ClerkScorecard } from './clerk-scorecard';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel number formats: the fraction 0.6667 shows as 66.7%; the composite score with two decimals. */
export const NUMBER_FORMATS: Partial<Record<ClerkColumn['kind'], string>> = { rate: '0.0%', score: '0.00', count: '0', rank: '0' };

/**
 * Content-Disposition for a download: an ASCII `filename` for old clients and the Chinese name as RFC 5987/6266
 * `filename*` (UTF-8, percent-encoded; `'()*` are encoded too, they are not attr-chars).
 */
export function attachment(ascii: string, utf8: string): string {
  const encoded = encodeURIComponent(utf8).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encoded}`;
}

/**
 * The clerk CSV: UTF-8 with BOM (Excel, and LibreOffice's import dialog, then read it as UTF-8), CRLF; the header
 * block, a blank line, the table with Chinese headers and percentages as text with one decimal, a blank line, the
 * legend: the same rows and cells as the worksheet.
 */
export function clerkCsv(model: ClerkScorecard): string {
  return `${
    BOM +
    clerkRecords(model)
      .map((cells) => cells.map(csvCell).join(','))
      .join('\r\n')
  }\r\n`;
}

/** The records of the clerk table, as text, top to bottom (a blank line is one empty cell). */
export function clerkRecords(model: ClerkScorecard): string[][] {
  return [
    ...model.meta,
    [''],
    model.columns.map((c) => c.header),
    ...model.rows.map((row) => row.map((cell) => cell.text)),
    [''],
    [LEGEND_TITLE],
    ...model.legend,
  ];
}

/** Where the table starts in the worksheet (1-based): after the header block and one blank row. */
export const tableHeaderRow = (model: ClerkScorecard) => model.meta.length + 2;

const THIN = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/**
 * The XLSX: the same rows and cells as the clerk CSV in one worksheet, with real numbers (rates as fractions under the
 * percent format, so they sort and sum), the header row and the rank and department columns frozen, a filter on
 * the header, column widths that fit the longest text (a CJK character is two widths of '0'), landscape A4 pages
 * two pages wide with the header row and the rank and department columns repeated.
 */
export async function clerkXlsx(model: ClerkScorecard): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Chuishao 吹哨';
  workbook.title = model.title;
  const headerRow = tableHeaderRow(model);
  const sheet = workbook.addWorksheet('考核成绩', {
    views: [{ state: 'frozen', xSplit: 2, ySplit: headerRow, topLeftCell: `C${headerRow + 1}`, activeCell: `C${headerRow + 1}` }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 2,
      fitToHeight: 0,
      printTitlesRow: `${headerRow}:${headerRow}`,
      printTitlesColumn: 'A:B',
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' },
  });

  model.meta.forEach(([label, value], i) => {
    const row = sheet.getRow(1 + i);
    row.getCell(1).value = label;
    row.getCell(2).value = value;
    row.getCell(1).font = { bold: true, ...(i === 0 ? { size: 13 } : {}) };
    if (i === 0) row.getCell(2).font = { bold: true, size: 13 };
  });

  const header = sheet.getRow(headerRow);
  model.columns.forEach((column, c) => {
    const cell = header.getCell(c + 1);
    cell.value = column.header;
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
    cell.border = BORDER;
  });
  header.height = 20;

  model.rows.forEach((cells, r) => {
    const row = sheet.getRow(headerRow + 1 + r);
    cells.forEach((data, c) => {
      const column = model.columns[c];
      const cell = row.getCell(c + 1);
      cell.border = BORDER;
      if (typeof data.value === 'number') {
        cell.value = data.value;
        const format = NUMBER_FORMATS[column.kind];
        if (format) cell.numFmt = format;
        cell.alignment = { horizontal: column.kind === 'rank' ? 'center' : 'right' };
      } else {
        cell.value = data.text;
        const numeric = column.kind !== 'text';
        cell.alignment = { horizontal: numeric ? (column.kind === 'rank' ? 'center' : 'right') : 'left' };
        if (numeric || column.field === undefined) cell.font = { color: { argb: 'FF7F7F7F' } };
      }
    });
  });

  const legendRow = headerRow + model.rows.length + 2;
  sheet.getCell(legendRow, 1).value = LEGEND_TITLE;
  sheet.getCell(legendRow, 1).font = { bold: true };
  model.legend.forEach(([term, definition], i) => {
    sheet.getCell(legendRow + 1 + i, 1).value = term;
    sheet.getCell(legendRow + 1 + i, 2).value = definition;
  });

  // Widths that fit every text of the column (the header block and legend sit in the first two).
  const texts = clerkRecords(model);
  model.columns.forEach((column, c) => {
    const widest = Math.max(displayWidth(column.header) + 1, ...texts.map((cells) => displayWidth(cells[c] ?? '')));
    // At least 10: exceljs leaves a width of 9 (its default) unwritten, and the reader would then guess.
    sheet.getColumn(c + 1).width = Math.max(10, widest + 3);
  });
  sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + model.rows.length, column: model.columns.length } };

  return Buffer.from((await workbook.xlsx.writeBuffer()) as ArrayBuffer);
}
