// The desktop backend against Tauri's IPC mock: the command names and argument shapes are the
// fixed contract with src-tauri, so a rename on either side fails here.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';

import type { StageEvent } from './types';

type Call = { cmd: string; args: Record<string, unknown> };
let calls: Call[] = [];

beforeEach(() => {
  vi.stubGlobal('window', globalThis);
  calls = [];
});
afterEach(() => {
  clearMocks();
  vi.unstubAllGlobals();
});

async function backend(reply: (cmd: string, args: Record<string, unknown>) => unknown) {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Record<string, unknown> });
    return reply(cmd, (args ?? {}) as Record<string, unknown>);
  });
  const { tauriBackend } = await import('./tauri');
  return tauriBackend();
}

describe('tauri backend', () => {
  it('asks with { request: { question, database, requestId }, onEvent } and streams stage events', async () => {
    const events: StageEvent[] = [];
    const b = await backend((cmd, args) => {
      if (cmd === 'ask') {
        const channel = args.onEvent as { id: number };
        const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, d: unknown): void } }).__TAURI_INTERNALS__;
        internals.runCallback(channel.id, { index: 0, message: { event: 'started', name: 'intent' } });
        internals.runCallback(channel.id, { index: 1, message: { event: 'finished', name: 'intent', status: 'ok', ms: 1, detail: null } });
        return { stages: [], error: null };
      }
      return null;
    });
    const answer = await b.ask({ question: 'q', database: '/d.db', requestId: 'r1' }, (e) => events.push(e));
    expect(answer).toEqual({ stages: [], error: null });
    expect(calls[0].cmd).toBe('ask');
    expect(calls[0].args.request).toEqual({ question: 'q', database: '/d.db', requestId: 'r1' });
    expect(events.map((e) => e.event)).toEqual(['started', 'finished']);
  });

  it('sends a follow-up inside the ask request as followUp { question, sql }', async () => {
    const b = await backend(() => ({ stages: [], error: null }));
    const followUp = { question: 'Show monthly revenue for last year', sql: 'SELECT 1' };
    await b.ask({ question: 'now only the West region', database: '/d.db', requestId: 'r3', followUp }, () => {});
    expect(calls[0].args.request).toEqual({ question: 'now only the West region', database: '/d.db', requestId: 'r3', followUp });
  });

  it('lists model profiles with llm_profiles and tests one with llm_test { profile }', async () => {
    const listing = { profiles: [], presets: [], active: 'offline', ollama: null };
    const check = { profile: 'work', method: 'llm:custom:m', base_url: 'http://h/v1', models: ['m'], chat_ms: 12, reply: 'ready' };
    const b = await backend((cmd) => (cmd === 'llm_profiles' ? listing : cmd === 'llm_test' ? check : null));
    expect(await b.llmProfiles!()).toEqual(listing);
    expect(await b.llmTest!('work')).toEqual(check);
    expect(calls).toEqual([
      { cmd: 'llm_profiles', args: {} },
      { cmd: 'llm_test', args: { profile: 'work' } },
    ]);
  });

  it('uses the fixed command names and argument shapes', async () => {
    const b = await backend((cmd) => {
      switch (cmd) {
        case 'connections':
        case 'forget_connection':
          return { recent: ['/a.db'], sample: '/s.db' };
        case 'key_set':
        case 'cancel':
          return true;
        case 'key_clear':
        case 'key_status':
          return false;
        case 'settings_get':
        case 'settings_set':
          return { theme: 'dark' };
        default:
          return null;
      }
    });
    await b.analyze({ analysis: 'forecast', database: 'd', sql: 's', horizon: 3, requestId: 'r2' }, () => {});
    expect(await b.cancel('r2')).toBe(true);
    await b.schema('d');
    expect(await b.connections()).toEqual({ recent: ['/a.db'], sample: '/s.db' });
    await b.forgetConnection('/a.db');
    await b.settingsGet();
    await b.settingsSet({ theme: 'dark' } as never);
    expect(await b.keySet('openai', 'sk-1')).toBe(true);
    await b.keyClear('openai');
    await b.keyStatus('openai');
    await b.sandboxStatus();
    await b.sandboxRun({ code: 'result = 1', data: { df: 'a\n1\n' }, mode: 'auto', timeout: 30, memory: '512m' });
    const shapes = calls.map(({ cmd, args }) => [cmd, Object.keys(args).sort()]);
    expect(shapes).toEqual([
      ['analyze', ['onEvent', 'request']],
      ['cancel', ['requestId']],
      ['schema', ['database']],
      ['connections', []],
      ['forget_connection', ['path']],
      ['settings_get', []],
      ['settings_set', ['settings']],
      ['key_set', ['key', 'profile']],
      ['key_clear', ['profile']],
      ['key_status', ['profile']],
      ['sandbox_status', []],
      ['sandbox_run', ['request']],
    ]);
    expect(calls[0].args.request).toEqual({ analysis: 'forecast', database: 'd', sql: 's', horizon: 3, requestId: 'r2' });
    expect(calls[11].args.request).toEqual({ code: 'result = 1', data: { df: 'a\n1\n' }, mode: 'auto', timeout: 30, memory: '512m' });
  });

  it('exports through the save dialog, then export_answer / save_png / save_svg with the chosen path', async () => {
    const b = await backend((cmd) => (cmd === 'plugin:dialog|save' ? '/home/u/answer.csv' : null));
    expect(await b.exportAnswer('r9', {} as never, 'csv')).toBe('/home/u/answer.csv');
    expect(calls.map((c) => c.cmd)).toEqual(['plugin:dialog|save', 'export_answer']);
    expect(calls[1].args).toEqual({ requestId: 'r9', format: 'csv', path: '/home/u/answer.csv' });
    await b.savePng('iVBORw0KGgo=', 'chart.png');
    expect(calls[3]).toEqual({ cmd: 'save_png', args: { path: '/home/u/answer.csv', base64: 'iVBORw0KGgo=' } });
    await b.saveSvg('<svg></svg>', 'chart.svg');
    expect(calls[4].args).toMatchObject({ options: { defaultPath: 'chart.svg', filters: [{ name: 'SVG image', extensions: ['svg'] }] } });
    expect(calls[5]).toEqual({ cmd: 'save_svg', args: { path: '/home/u/answer.csv', svg: '<svg></svg>' } });
  });

  it('does nothing when the save dialog is cancelled', async () => {
    const b = await backend(() => null);
    expect(await b.exportAnswer('r9', {} as never, 'html')).toBeNull();
    expect(calls.map((c) => c.cmd)).toEqual(['plugin:dialog|save']);
  });

  it('turns a command error into a BackendError with its kind', async () => {
    const b = await backend(() => {
      throw { kind: 'database', message: 'The file is not a SQLite database.' };
    });
    await expect(b.schema('x')).rejects.toMatchObject({ name: 'BackendError', kind: 'database', message: 'The file is not a SQLite database.' });
  });
  it('builds the sandbox image through sandbox_build_image, streaming its lines', async () => {
    const lines: string[] = [];
    const b = await backend((cmd, args) => {
      if (cmd === 'sandbox_build_image') {
        const channel = args.onProgress as { id: number };
        const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, d: unknown): void } }).__TAURI_INTERNALS__;
        internals.runCallback(channel.id, { index: 0, message: 'Step 1/9 : FROM python:3.11-slim' });
        internals.runCallback(channel.id, { index: 1, message: 'Successfully built 1234' });
        return 'Built sightline-sandbox:py311 in 90 s.';
      }
      return null;
    });
    expect(b.sandboxBuildImage).toBeDefined();
    const done = await b.sandboxBuildImage!((line) => lines.push(line));
    expect(done).toBe('Built sightline-sandbox:py311 in 90 s.');
    expect(calls.map((c) => c.cmd)).toEqual(['sandbox_build_image']);
    expect(lines).toEqual(['Step 1/9 : FROM python:3.11-slim', 'Successfully built 1234']);
  });
  it('reads and keeps a glossary through glossary_get / glossary_set', async () => {
    const b = await backend((cmd) => (cmd === 'glossary_get' ? { text: '{"terms": []}', source: 'beside' } : null));
    expect(await b.glossaryGet!('/d.db')).toEqual({ text: '{"terms": []}', source: 'beside' });
    await b.glossarySet!('/d.db', '{"terms": []}');
    expect(calls).toEqual([
      { cmd: 'glossary_get', args: { database: '/d.db' } },
      { cmd: 'glossary_set', args: { database: '/d.db', text: '{"terms": []}' } },
    ]);
  });
});
