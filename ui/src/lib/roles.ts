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

export function vocabulary(schema: Schema | null): Vocabulary {
  const v: Vocabulary = { measures: [], dimensions: [], flags: [], timeMeasures: [] };
  if (!schema) return v;
  const add = (list: string[], name: string) => {
    const h = human(name);
    if (!list.includes(h)) list.push(h);
  };
  for (const table of schema.tables) {
    const roles = table.columns.map((c) => [c, columnRole(table, c)] as const);
    const hasDate = roles.some(([, r]) => r === 'date');
    for (const [c, r] of roles) {
      if (r === 'measure') {
        add(v.measures, c.name);
        if (hasDate) add(v.timeMeasures, c.name);
      } else if (r === 'dimension') add(v.dimensions, c.name);
      else if (r === 'flag') add(v.flags, c.name);
    }
  }
  return v;
}
