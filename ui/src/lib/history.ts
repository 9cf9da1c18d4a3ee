// Question history: most recent first, no duplicates, capped, persisted. Up/Down walk it like a
// shell; the text being typed is kept and comes back after the newest entry.

export const HISTORY_MAX = 200;

export function pushHistory(list: readonly string[], question: string): string[] {
  const q = question.trim();
  if (!q) return [...list];
  return [q, ...list.filter((item) => item !== q)].slice(0, HISTORY_MAX);
}

export interface HistoryCursor {
  /** -1 while editing the draft; otherwise an index into the history list. */
  position: number;
  draft: string;
}

export const freshCursor = (): HistoryCursor => ({ position: -1, draft: '' });

/** Moves through `list` (`up` = older); returns the new cursor and the text to show. */
export function walkHistory(
  list: readonly string[],
  cursor: HistoryCursor,
  current: string,
  direction: 'up' | 'down',
): { cursor: HistoryCursor; text: string } {
  const draft = cursor.position === -1 ? current : cursor.draft;
  let position = cursor.position + (direction === 'up' ? 1 : -1);
  position = Math.max(-1, Math.min(list.length - 1, position));
  const text = position === -1 ? draft : list[position];
  return { cursor: { position, draft }, text };
}

export function loadHistory(store: { getItem(k: string): string | null }, key = 'sightline.history'): string[] {
  try {
    const raw = JSON.parse(store.getItem(key) ?? '[]');
    return Array.isArray(raw) ? raw.filter((q): q is string => typeof q === 'string').slice(0, HISTORY_MAX) : [];
  } catch {
    return [];
  }
}

export function saveHistory(store: { setItem(k: string, v: string): void }, list: readonly string[], key = 'sightline.history'): void {
  try {
    store.setItem(key, JSON.stringify(list.slice(0, HISTORY_MAX)));
  } catch {
    // A full or disabled storage only loses history.
  }
}
