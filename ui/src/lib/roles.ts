// Rough column roles from the schema (declared types, names, sample values), for suggestions and
// chips only: the engine's planner decides for real.

import type { Schema } from '../backend/types';
import type { ColumnInfo, TableInfo } from '../generated/contract';

export type Role = 'key' | 'date' | 'flag' | 'measure' | 'dimension' | 'other';

const human = (name: string) => name.replace(/_/g, ' ').trim();
export { human };

function looksLikeDate(v: unknown): boolean {
  return typeof v === 'string' && /^\d{4}[-/]\d{2}[-/]\d{2}/.test(v);
}

export function columnRole(table: TableInfo, column: ColumnInfo): Role {
  const name = column.name.toLowerCase();
  const type = column.decl_type.toUpperCase();
  const samples = column.sample_values.filter((v) => v !== null);
  if (column.primary_key || /(^id$|_id$|id$)/i.test(column.name) || table.foreign_keys.some((f) => f.column === column.name)) {
    return 'key';
  }
  if (/DATE|TIME/.test(type) || /(date|_at$|^day$|^month$|timestamp)/.test(name) || (samples.length > 0 && samples.every(looksLikeDate))) {
    return 'date';
  }
  if (/^(is|has)_/.test(name) || (/INT|BOOL/.test(type) && samples.length > 0 && samples.every((v) => v === 0 || v === 1))) {
    return 'flag';
  }
  if (/INT|REAL|NUM|DEC|FLOA|DOUB/.test(type)) return 'measure';
  if (/CHAR|TEXT|CLOB|^$/.test(type) && !/(name|email|phone|address|description|comment|note|url)/.test(name)) {
    return 'dimension';
  }
  return 'other';
}

export interface Vocabulary {
  measures: string[];
  dimensions: string[];
  flags: string[];
  /** Tables with both a date and a measure: measure names usable in time questions. */
  timeMeasures: string[];
}

/** Money-like and count-like names first: they make the questions a business user asks. */
const MEASURE_WORDS = ['revenue', 'sales', 'amount', 'total', 'profit', 'value', 'price', 'cost', 'spend', 'margin', 'balance', 'quantity', 'units'];
const TIME_WORDS = /(daily|weekly|monthly|quarterly|yearly|annual)/;

function measureScore(table: TableInfo, name: string): number {
  const n = name.toLowerCase();
  const word = MEASURE_WORDS.findIndex((w) => n.includes(w));
  return (word < 0 ? 0 : (MEASURE_WORDS.length - word) * 1e12) - (TIME_WORDS.test(n) ? 1e11 : 0) + table.row_count;
}

export function vocabulary(schema: Schema | null): Vocabulary {
  const v: Vocabulary = { measures: [], dimensions: [], flags: [], timeMeasures: [] };
  if (!schema) return v;
  const add = (list: string[], name: string) => {
    const h = human(name);
    if (!list.includes(h)) list.push(h);
  };
  // Fact tables (many rows) and money-like columns first.
  const ranked = (pick: (t: TableInfo) => boolean) =>
    schema.tables
      .filter(pick)
      .flatMap((t) => t.columns.filter((c) => columnRole(t, c) === 'measure').map((c) => [t, c.name] as const))
      .sort((a, b) => measureScore(b[0], b[1]) - measureScore(a[0], a[1]))
      .map(([, name]) => name);
  const hasDate = (t: TableInfo) => t.columns.some((c) => columnRole(t, c) === 'date');
  for (const name of ranked(() => true)) add(v.measures, name);
  for (const name of ranked(hasDate)) add(v.timeMeasures, name);
  for (const table of schema.tables) {
    for (const c of table.columns) {
      const r = columnRole(table, c);
      if (r === 'dimension') add(v.dimensions, c.name);
      else if (r === 'flag') add(v.flags, c.name);
    }
  }
  return v;
}
