// CSV and TSV from a result table. CSV follows RFC 4180 (quote when needed, double the quotes,
// CRLF); cells that a spreadsheet would run as a formula are prefixed with a quote.

export type Cell = string | number | null;

function text(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'number' ? String(cell) : cell;
}

/** Neutralises spreadsheet formula injection (=, +, -, @, tab, CR at the start of a text cell). */
function defuse(cell: Cell, value: string): string {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvField(cell: Cell, defuseFormulas = true): string {
  const value = defuseFormulas ? defuse(cell, text(cell)) : text(cell);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV for people (formulas defused) or, with `defuseFormulas = false`, for pandas. */
export function toCsv(columns: string[], rows: Cell[][], defuseFormulas = true): string {
  const field = (c: Cell) => csvField(c, defuseFormulas);
  const lines = [columns.map(field).join(',')];
  for (const row of rows) lines.push(row.map(field).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Tab-separated for the clipboard: tabs and newlines inside a value become spaces. */
export function toTsv(columns: string[] | null, rows: Cell[][]): string {
  const clean = (c: Cell) => text(c).replace(/[\t\r\n]+/g, ' ');
  const lines = columns ? [columns.map(clean).join('\t')] : [];
  for (const row of rows) lines.push(row.map(clean).join('\t'));
  return lines.join('\n');
}
