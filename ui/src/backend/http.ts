// The browser backend: `sightline serve --ui ui/dist` on the same origin. Settings and the recent
// list live in this browser's localStorage (never a key: keys are a desktop feature, kept in the
// OS keychain, and so are model profiles: `llmProfiles`/`llmTest` are absent here and questions
// are answered by the offline planner). Exports are downloads built here.

import type {
  AnalyzeRequest,
  Answer,
  AskRequest,
  Backend,
  Connections,
  SandboxResult,
  SandboxRunRequest,
  SandboxStatus,
  Schema,
  Settings,
} from './types';
import { BackendError, toBackendError } from './types';
import { toCsv } from '../lib/csv';
import { base64ToBytes, downloadBlob } from '../lib/download';
import { validateSettings, withDefaults } from '../lib/settings';

const SETTINGS_KEY = 'sightline.settings';
const RECENT_KEY = 'sightline.recent';
const RECENT_MAX = 10;

/** Storage as the backend needs it (localStorage in the page, a Map in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function readJson<T>(store: KeyValue, key: string, fallback: T): T {
  try {
    const raw = store.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    return fallback;
  }
}

/** True when a JSON body is an answer (a 422 still carries one) rather than `{error}` alone. */
function isAnswer(body: unknown): body is Answer {
  return !!body && typeof body === 'object' && Array.isArray((body as Answer).stages);
}

export function httpBackend(store: KeyValue = window.localStorage, base = ''): Backend {
  const inFlight = new Map<string, AbortController>();

  async function request(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        throw new BackendError('cancelled', 'Cancelled.');
      }
      throw new BackendError('internal', 'The Sightline server does not answer. Is `sightline serve` still running?');
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new BackendError('internal', `The server answered ${response.status} without JSON.`);
    }
    if (response.ok || isAnswer(json)) return json;
    if (path === '/sandbox/run' && json && typeof json === 'object' && 'success' in json) return json;
    throw toBackendError(json);
  }

  async function answering(requestId: string, path: string, body: unknown): Promise<Answer> {
    const controller = new AbortController();
    inFlight.set(requestId, controller);
    try {
      return (await request('POST', path, body, controller.signal)) as Answer;
    } finally {
      inFlight.delete(requestId);
    }
  }

  const maxRows = () => withDefaults(readJson<unknown>(store, SETTINGS_KEY, null)).max_rows;

  function recent(): string[] {
    const list = readJson<unknown>(store, RECENT_KEY, []);
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  }

  return {
    kind: 'http',
    canPickFiles: false,
    keysSupported: false,
    keyMessage: 'Keys can be set in the desktop app (they are kept in the system keychain).',

    // Over HTTP the answer comes back whole; its `stages` are shown when it arrives.
    // No model over HTTP (keys live in the desktop app's keychain): the offline planner answers,
    // follow-ups included.
    ask: (r: AskRequest) =>
      answering(r.requestId, '/query/analytics', {
        query: r.question,
        database: r.database,
        max_rows: maxRows(),
        ...(r.followUp ? { follow_up: r.followUp } : {}),
      }),
    analyze: (r: AnalyzeRequest) =>
      answering(r.requestId, '/analyze', {
        database: r.database,
        sql: r.sql,
        type: r.analysis,
        target: r.target ?? null,
        date_column: r.dateColumn ?? null,
        horizon: r.horizon ?? null,
        method: r.method ?? null,
        threshold: r.threshold ?? null,
        season_length: r.seasonLength ?? null,
        max_rows: maxRows(),
      }),
    // Closing the request makes the server drop the handler, which cancels the question.
    cancel: async (requestId) => {
      const controller = inFlight.get(requestId);
      controller?.abort();
      return controller !== undefined;
    },
    schema: async (database) => (await request('POST', '/schema', { database })) as Schema,
    connections: async (): Promise<Connections> => ({ recent: recent(), sample: null }),
    remember: async (database) => {
      const list = [database, ...recent().filter((p) => p !== database)].slice(0, RECENT_MAX);
      store.setItem(RECENT_KEY, JSON.stringify(list));
    },
    forgetConnection: async (path) => {
      store.setItem(RECENT_KEY, JSON.stringify(recent().filter((p) => p !== path)));
      return { recent: recent(), sample: null };
    },
    pickDatabase: async () => null,
    onFileDrop: async () => () => {},

    settingsGet: async () => withDefaults(readJson<unknown>(store, SETTINGS_KEY, null)),
    settingsSet: async (settings: Settings) => {
      const errors = validateSettings(settings);
      const first = Object.values(errors)[0];
      if (first) throw new BackendError('bad_input', first);
      store.setItem(SETTINGS_KEY, JSON.stringify(settings));
      return settings;
    },
    keySet: async () => {
      throw new BackendError('bad_input', 'Keys can be set in the desktop app.');
    },
    keyClear: async () => false,
    keyStatus: async () => false,

    sandboxStatus: async () => (await request('GET', '/sandbox/status')) as SandboxStatus,
    sandboxRun: async (r: SandboxRunRequest) => (await request('POST', '/sandbox/run', r)) as SandboxResult,

    exportAnswer: async (_requestId, answer, format) => {
      if (format === 'html') {
        throw new BackendError(
          'bad_input',
          'The HTML report is made by the desktop app (or `sightline ask --chart report.html`); here, export CSV or the chart.',
        );
      }
      if (!answer.data) throw new BackendError('bad_input', 'This answer has no data to export.');
      const name = 'sightline-answer.csv';
      downloadBlob(new Blob([toCsv(answer.data.columns, answer.data.rows)], { type: 'text/csv' }), name);
      return name;
    },
    savePng: async (base64, suggestedName) => {
      downloadBlob(new Blob([base64ToBytes(base64)], { type: 'image/png' }), suggestedName);
      return suggestedName;
    },
    saveSvg: async (svg, suggestedName) => {
      downloadBlob(new Blob([svg], { type: 'image/svg+xml' }), suggestedName);
      return suggestedName;
    },
  };
}
