import { describe, expect, it } from 'vitest';

import { HISTORY_MAX, freshCursor, loadHistory, pushHistory, saveHistory, walkHistory } from './history';

describe('question history', () => {
  it('puts the newest first, without duplicates or blanks, capped', () => {
    let list = pushHistory([], 'a');
    list = pushHistory(list, 'b');
    list = pushHistory(list, ' a ');
    list = pushHistory(list, '   ');
    expect(list).toEqual(['a', 'b']);
    const many = Array.from({ length: HISTORY_MAX + 5 }, (_, i) => `q${i}`).reduce<string[]>((l, q) => pushHistory(l, q), []);
    expect(many).toHaveLength(HISTORY_MAX);
    expect(many[0]).toBe(`q${HISTORY_MAX + 4}`);
  });

  it('walks up to older entries and back down to the draft being typed', () => {
    const list = ['newest', 'older', 'oldest'];
    let step = walkHistory(list, freshCursor(), 'my draft', 'up');
    expect(step.text).toBe('newest');
    step = walkHistory(list, step.cursor, step.text, 'up');
    expect(step.text).toBe('older');
    step = walkHistory(list, step.cursor, step.text, 'up');
    step = walkHistory(list, step.cursor, step.text, 'up');
    expect(step.text).toBe('oldest');
    step = walkHistory(list, step.cursor, step.text, 'down');
    step = walkHistory(list, step.cursor, step.text, 'down');
    step = walkHistory(list, step.cursor, step.text, 'down');
    expect(step.text).toBe('my draft');
    expect(step.cursor.position).toBe(-1);
  });

  it('persists and survives corrupt storage', () => {
    const store = new Map<string, string>();
    const kv = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    saveHistory(kv, ['x', 'y']);
    expect(loadHistory(kv)).toEqual(['x', 'y']);
    store.set('sightline.history', '{not json');
    expect(loadHistory(kv)).toEqual([]);
    store.set('sightline.history', JSON.stringify(['ok', 3, null]));
    expect(loadHistory(kv)).toEqual(['ok']);
  });
});
