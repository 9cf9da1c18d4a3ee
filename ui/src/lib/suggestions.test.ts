import { describe, expect, it } from 'vitest';

import type { Schema } from '../backend/types';
import { suggestions } from './suggestions';

const col = (name: string, decl_type: string, sample_values: Array<string | number | null> = [], primary_key = false) => ({
  name,
  decl_type,
  primary_key,
  not_null: false,
  sample_values,
});

const schema: Schema = {
  database: 'x.db',
  tables: [
    {
      name: 'orders',
      kind: 'table',
      row_count: 10,
      columns: [col('id', 'INTEGER', [1], true), col('customer_id', 'INTEGER', [1]), col('order_date', 'TEXT', ['2024-01-02']), col('amount', 'REAL', [9.5]), col('status', 'TEXT', ['completed'])],
      foreign_keys: [{ column: 'customer_id', references_table: 'customers', references_column: 'id' }],
    },
    {
      name: 'customers',
      kind: 'table',
      row_count: 3,
      columns: [col('id', 'INTEGER', [1], true), col('name', 'TEXT', ['Ann']), col('region', 'TEXT', ['West']), col('churned', 'INTEGER', [0, 1])],
      foreign_keys: [],
    },
  ],
};

describe('suggestions', () => {
  it('draws measures, dates, dimensions and flags from the schema, never keys or names', () => {
    const s = suggestions(schema);
    expect(s).toContain('Show monthly amount for last year and forecast next 3 months');
    expect(s).toContain('What factors correlate with churned?');
    expect(s).toContain('Find anomalies in daily amount');
    expect(s).toContain('Statistical summary of amount by status');
    expect(s.join(' ')).not.toMatch(/customer id|\bname\b/);
  });

  it('prefers money-like measures of big tables, and keeps time words out of time questions', () => {
    const wide: Schema = {
      database: 'w.db',
      tables: [
        { name: 'people', kind: 'table', row_count: 50, columns: [col('age', 'INTEGER', [30]), col('signup_date', 'TEXT', ['2024-01-01'])], foreign_keys: [] },
        {
          name: 'sales',
          kind: 'table',
          row_count: 5000,
          columns: [col('sold_on', 'DATE', ['2024-01-01']), col('monthly_fee', 'REAL', [9]), col('units', 'INTEGER', [3]), col('amount', 'REAL', [9.5]), col('region', 'TEXT', ['West'])],
          foreign_keys: [],
        },
      ],
    };
    const s = suggestions(wide);
    expect(s[0]).toBe('Show monthly amount for last year and forecast next 3 months');
    expect(s.join(' ')).not.toMatch(/daily monthly|monthly monthly/);
    expect(s).toContain('Find anomalies in daily units');
  });

  it('is empty without a schema', () => {
    expect(suggestions(null)).toEqual([]);
  });
});
