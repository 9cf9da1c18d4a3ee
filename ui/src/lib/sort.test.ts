import { describe, expect, it } from 'vitest';

import { nextSort, sortedIndex } from './sort';
import type { Cell } from './csv';

const rows: Cell[][] = [
  ['b', 3],
  ['a10', null],
  ['a2', 1],
  [null, 2],
  ['A1', 3],
];

describe('grid sort', () => {
  it('is the identity without a sort', () => {
    expect(sortedIndex(rows, null)).toEqual([0, 1, 2, 3, 4]);
  });

  it('sorts numbers ascending and descending, nulls last both ways, stable on ties', () => {
    expect(sortedIndex(rows, { column: 1, dir: 'asc' })).toEqual([2, 3, 0, 4, 1]);
    expect(sortedIndex(rows, { column: 1, dir: 'desc' })).toEqual([0, 4, 3, 2, 1]);
  });

  it('sorts text naturally and case-insensitively', () => {
    expect(sortedIndex(rows, { column: 0, dir: 'asc' }).map((i) => rows[i][0])).toEqual(['A1', 'a2', 'a10', 'b', null]);
  });

  it('puts numbers before text in a mixed column', () => {
    const mixed: Cell[][] = [['x'], [5], ['a'], [1]];
    expect(sortedIndex(mixed, { column: 0, dir: 'asc' }).map((i) => mixed[i][0])).toEqual([1, 5, 'a', 'x']);
  });

  it('sorts 100k rows quickly', () => {
    const big: Cell[][] = Array.from({ length: 100_000 }, (_, i) => [(i * 7919) % 100_003]);
    const t = performance.now();
    const order = sortedIndex(big, { column: 0, dir: 'asc' });
    expect(performance.now() - t).toBeLessThan(1500);
    let ordered = true;
    for (let i = 1; i < order.length; i++) ordered &&= (big[order[i - 1]][0] as number) <= (big[order[i]][0] as number);
    expect(ordered).toBe(true);
  });

  it('cycles header clicks: ascending, descending, off; another column starts ascending', () => {
    expect(nextSort(null, 1)).toEqual({ column: 1, dir: 'asc' });
    expect(nextSort({ column: 1, dir: 'asc' }, 1)).toEqual({ column: 1, dir: 'desc' });
    expect(nextSort({ column: 1, dir: 'desc' }, 1)).toBeNull();
    expect(nextSort({ column: 1, dir: 'desc' }, 0)).toEqual({ column: 0, dir: 'asc' });
  });
});
