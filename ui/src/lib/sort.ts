// Sorting the grid without moving the rows: an index permutation, stable, nulls last in both
// directions, numbers before text, text compared naturally ("a2" before "a10").

import type { Cell } from './csv';

export type SortDir = 'asc' | 'desc';
export interface SortState {
  column: number;
  dir: SortDir;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function compareCells(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(String(a), String(b));
}

/** Row indices of `rows` in the order of `sort` (identity when `sort` is null). */
export function sortedIndex(rows: Cell[][], sort: SortState | null): number[] {
  const index = rows.map((_, i) => i);
  if (!sort) return index;
  const { column, dir } = sort;
  const sign = dir === 'asc' ? 1 : -1;
  index.sort((i, j) => {
    const a = rows[i][column];
    const b = rows[j][column];
    const aNull = a === null || a === undefined;
    const bNull = b === null || b === undefined;
    if (aNull || bNull) return aNull === bNull ? i - j : aNull ? 1 : -1;
    return sign * compareCells(a, b) || i - j;
  });
  return index;
}

/** Header clicks cycle: ascending, descending, unsorted. */
export function nextSort(current: SortState | null, column: number): SortState | null {
  if (!current || current.column !== column) return { column, dir: 'asc' };
  if (current.dir === 'asc') return { column, dir: 'desc' };
  return null;
}
