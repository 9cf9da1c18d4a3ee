import { describe, expect, it, vi } from 'vitest';

import type { Answer } from '../backend/types';
import { httpBackend } from '../backend/http';
import { followUpOf, threadAfter, threadLabel, THREAD_MAX } from './followup';

const answer = (sql: string | null) => ({ sql, stages: [], error: null }) as unknown as Answer;

describe('follow-up payload', () => {
  it('is null outside a thread', () => {
    expect(followUpOf(null)).toBeNull();
  });

  it('carries the previous question and the SQL of its answer', () => {
    const thread = threadAfter(null, ' Show monthly revenue for last year ', answer('SELECT 1'));
    expect(followUpOf(thread)).toEqual({ question: 'Show monthly revenue for last year', sql: 'SELECT 1' });
  });

  it('keeps the earlier questions of a chain, and the latest SQL', () => {
    const first = threadAfter(null, 'Show monthly revenue for last year', answer('SELECT 1'));
    const second = threadAfter(first, 'now only the West region', answer('SELECT 2'));
    expect(followUpOf(second)).toEqual({ question: 'Show monthly revenue for last year now only the West region', sql: 'SELECT 2' });
    expect(threadLabel(second!)).toBe('Show monthly revenue for last year → now only the West region');
    let long = second;
    for (let i = 0; i < 10; i++) long = threadAfter(long, `q${i}`, answer(`SELECT ${i}`));
    expect(long!.questions).toHaveLength(THREAD_MAX);
    expect(long!.questions.at(-1)).toBe('q9');
  });

  it('starts no thread from an answer without SQL', () => {
    expect(threadAfter(null, 'purple monkey', answer(null))).toBeNull();
  });

  it('goes to serve as follow_up, and not at all for a fresh question', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ stages: [] })));
    vi.stubGlobal('fetch', fetch);
    const store = new Map<string, string>();
    const backend = httpBackend({ getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) });
    const thread = threadAfter(null, 'Show monthly revenue for last year', answer("SELECT month FROM t WHERE y = '2025'"));
    await backend.ask({ question: 'now only the West region', database: '/d.db', requestId: 'r', followUp: followUpOf(thread) }, () => {});
    await backend.ask({ question: 'fresh', database: '/d.db', requestId: 's', followUp: followUpOf(null) }, () => {});
    const bodies = fetch.mock.calls.map((c) => JSON.parse(String((c as unknown as [string, RequestInit])[1].body)));
    expect(bodies[0]).toEqual({
      query: 'now only the West region',
      database: '/d.db',
      max_rows: 10_000,
      follow_up: { question: 'Show monthly revenue for last year', sql: "SELECT month FROM t WHERE y = '2025'" },
    });
    expect(bodies[1]).not.toHaveProperty('follow_up');
    vi.unstubAllGlobals();
  });
});
