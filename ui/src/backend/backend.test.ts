import { afterEach, describe, expect, it, vi } from 'vitest';

import { backendKind } from './index';
import { httpBackend } from './http';
import { BackendError, toBackendError } from './types';

function memoryStore() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

afterEach(() => vi.unstubAllGlobals());

describe('backend selection', () => {
  it('is tauri only when Tauri injected its internals', () => {
    expect(backendKind({ __TAURI_INTERNALS__: {} })).toBe('tauri');
    expect(backendKind({})).toBe('http');
    expect(backendKind({ __TAURI_INTERNALS__: undefined })).toBe('http');
  });
});

describe('http backend', () => {
  it('posts a question to /query/analytics and returns a 422 answer as an answer', async () => {
    const answer = { stages: [], error: { kind: 'not_understood', message: 'no', stage: 'plan' } };
    const fetch = vi.fn(async () => new Response(JSON.stringify(answer), { status: 422 }));
    vi.stubGlobal('fetch', fetch);
    const got = await httpBackend(memoryStore()).ask({ question: 'q', database: '/x.db', requestId: '1' }, () => {});
    expect(got).toEqual(answer);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/query/analytics');
    expect(JSON.parse(String(init.body))).toEqual({ query: 'q', database: '/x.db', max_rows: 10_000 });
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('maps analyze arguments to the /analyze body', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ stages: [] })));
    vi.stubGlobal('fetch', fetch);
    await httpBackend(memoryStore()).analyze({ analysis: 'forecast', database: 'd', sql: 's', horizon: 3, dateColumn: 'm', requestId: '2' }, () => {});
    const body = JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body));
    expect(body).toMatchObject({ database: 'd', sql: 's', type: 'forecast', horizon: 3, date_column: 'm', target: null });
  });

  it('throws a BackendError with the server kind for a non-answer error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: { kind: 'database', message: 'not a db', stage: null } }), { status: 422 })));
    await expect(httpBackend(memoryStore()).schema('x')).rejects.toMatchObject({ kind: 'database', message: 'not a db' });
  });

  it('cancels by aborting the request', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn((_url: string, init: RequestInit) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))),
    );
    const backend = httpBackend(memoryStore());
    const pending = backend.ask({ question: 'q', database: 'd', requestId: 'r' }, () => {});
    expect(await backend.cancel('r')).toBe(true);
    await expect(pending).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await backend.cancel('r')).toBe(false);
  });

  it('keeps settings and recent files in storage, validates, and never stores keys', async () => {
    const store = memoryStore();
    const backend = httpBackend(store);
    const settings = await backend.settingsGet();
    await backend.settingsSet({ ...settings, max_rows: 50 });
    expect((await backend.settingsGet()).max_rows).toBe(50);
    await expect(backend.settingsSet({ ...settings, max_rows: 0 })).rejects.toBeInstanceOf(BackendError);
    await expect(backend.keySet('p', 'sk-secret')).rejects.toBeInstanceOf(BackendError);
    // Model profiles are a desktop feature: the settings view hides them here.
    expect(backend.llmProfiles).toBeUndefined();
    expect(backend.llmTest).toBeUndefined();
    expect(await backend.keyStatus('p')).toBe(false);
    expect([...store.m.values()].join()).not.toContain('sk-secret');
    await backend.remember('/a.db');
    await backend.remember('/b.db');
    await backend.remember('/a.db');
    expect((await backend.connections()).recent).toEqual(['/a.db', '/b.db']);
    expect((await backend.forgetConnection('/a.db')).recent).toEqual(['/b.db']);
  });
});

describe('toBackendError', () => {
  it('reads kind or code, and falls back to internal', () => {
    expect(toBackendError({ kind: 'timeout', message: 'slow' })).toMatchObject({ kind: 'timeout', message: 'slow' });
    expect(toBackendError({ code: 'database', message: 'bad' })).toMatchObject({ kind: 'database' });
    expect(toBackendError({ kind: 'weird', message: 'm' })).toMatchObject({ kind: 'internal', message: 'm' });
    expect(toBackendError('boom')).toMatchObject({ kind: 'internal', message: 'boom' });
  });
});
