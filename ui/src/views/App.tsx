// The application shell: navigation, the open database, settings, keyboard shortcuts, and the
// ask/re-run flow with follow-ups (lib/followup.ts). The engine orchestrates the stages; this
// only shows them.

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { Answer, Backend, Connections, SandboxStatus, Schema, Settings, StageEvent } from '../backend/types';
import { BackendError, toBackendError } from '../backend/types';
import { followUpOf, threadAfter } from '../lib/followup';
import type { Thread } from '../lib/followup';
import { baseName } from '../lib/format';
import { loadHistory, pushHistory, saveHistory } from '../lib/history';
import { vocabulary } from '../lib/roles';
import { DEFAULT_SETTINGS } from '../lib/settings';
import { suggestions } from '../lib/suggestions';
import { AnswerView, rerunAnalysis } from './Answer';
import { FollowUpBar, QuestionBox, Suggestions } from './Ask';
import { ConnectPanel, SchemaBrowser } from './Connect';
import { ErrorState } from './ErrorState';
import { GlossaryView } from './Glossary';
import { SettingsView } from './Settings';
import { Stages } from './Stages';
import type { StageRow } from './Stages';

type View = 'ask' | 'data' | 'glossary' | 'settings';

interface Run {
  id: string;
  question: string;
  startedAt: number;
  stages: StageRow[];
  running: boolean;
  error: BackendError | null;
}

interface Shown {
  answer: Answer;
  question: string;
  requestId: string;
  /** The thread the question was asked in (null: a fresh question). */
  context: Thread | null;
}

function newId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function applyEvent(rows: StageRow[], event: StageEvent): StageRow[] {
  const now = performance.now();
  if (event.event === 'started') {
    const row: StageRow = { name: event.name, status: 'running', ms: null, detail: null, startedAt: now };
    return rows.some((r) => r.name === event.name) ? rows.map((r) => (r.name === event.name ? row : r)) : [...rows, row];
  }
  const done: StageRow = { name: event.name, status: event.status, ms: event.ms, detail: event.detail };
  return rows.some((r) => r.name === event.name) ? rows.map((r) => (r.name === event.name ? done : r)) : [...rows, done];
}

function fromAnswer(answer: Answer, streamed: StageRow[]): StageRow[] {
  return answer.stages.map((s) => ({
    name: s.name,
    status: s.status,
    ms: s.ms,
    detail: streamed.find((r) => r.name === s.name)?.detail ?? null,
  }));
}

function usePrefersDark(): boolean {
  const query = useMemo(() => window.matchMedia('(prefers-color-scheme: dark)'), []);
  const [dark, setDark] = useState(query.matches);
  useEffect(() => {
    const on = () => setDark(query.matches);
    query.addEventListener('change', on);
    return () => query.removeEventListener('change', on);
  }, [query]);
  return dark;
}

export function App({ backend }: { backend: Backend }) {
  const [view, setView] = useState<View>('data');
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [connections, setConnections] = useState<Connections>({ recent: [], sample: null });
  const [database, setDatabase] = useState<string | null>(null);
  const [schema, setSchema] = useState<Schema | null>(null);
  const [opening, setOpening] = useState(false);
  const [openError, setOpenError] = useState<BackendError | null>(null);
  const [question, setQuestion] = useState('');
  const [history, setHistory] = useState<string[]>(() => loadHistory(localStorage));
  const [run, setRun] = useState<Run | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  /** What the next question follows up, shown as the follow-up chip; null for a fresh question. */
  const [thread, setThread] = useState<Thread | null>(null);
  const [sandbox, setSandbox] = useState<SandboxStatus | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const questionRef = useRef<HTMLInputElement>(null);
  const runRef = useRef<Run | null>(null);
  runRef.current = run;

  const prefersDark = usePrefersDark();
  const theme = settings.theme === 'system' ? (prefersDark ? 'dark' : 'light') : settings.theme;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const say = useCallback((text: string) => setNotice(text), []);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), 5000);
    return () => clearTimeout(t);
  }, [notice]);

  const refreshSandbox = useCallback(() => {
    setSandbox(null);
    backend
      .sandboxStatus()
      .then(setSandbox)
      .catch((e: unknown) =>
        setSandbox({ docker: false, image: false, restricted: false, message: toBackendError(e).message }),
      );
  }, [backend]);

  const openDatabase = useCallback(
    async (path: string) => {
      setOpening(true);
      setOpenError(null);
      try {
        const s = await backend.schema(path);
        setDatabase(path);
        setSchema(s);
        setShown(null);
        setRun(null);
        setThread(null);
        await backend.remember(path);
        setConnections(await backend.connections());
        setView('ask');
        setTimeout(() => questionRef.current?.focus(), 0);
      } catch (e) {
        setOpenError(toBackendError(e));
        setView('data');
      } finally {
        setOpening(false);
      }
    },
    [backend],
  );

  useEffect(() => {
    backend.settingsGet().then(setSettings).catch((e: unknown) => say(toBackendError(e).message));
    const initial = new URLSearchParams(window.location.search).get('db');
    backend
      .connections()
      .then((c) => {
        setConnections(c);
        c.warnings?.forEach(say);
        if (c.open && !initial) void openDatabase(c.open);
      })
      .catch(() => {});
    refreshSandbox();
    if (initial) void openDatabase(initial);
    let unlisten: (() => void) | null = null;
    void backend.onFileDrop((paths) => void openDatabase(paths[0]), setDragging).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, [backend]);

  const start = (
    q: string,
    context: Thread | null,
    call: (id: string, onEvent: (e: StageEvent) => void) => Promise<Answer>,
    onAnswer?: (answer: Answer) => void,
  ) => {
    const id = newId();
    const fresh: Run = { id, question: q, startedAt: performance.now(), stages: [], running: true, error: null };
    setRun(fresh);
    const onEvent = (event: StageEvent) =>
      setRun((r) => (r && r.id === id ? { ...r, stages: applyEvent(r.stages, event) } : r));
    call(id, onEvent)
      .then((answer) => {
        setRun((r) => (r && r.id === id ? { ...r, running: false, stages: fromAnswer(answer, r.stages) } : r));
        setShown({ answer, question: q, requestId: id, context });
        onAnswer?.(answer);
      })
      .catch((e: unknown) => {
        const error = toBackendError(e);
        setRun((r) => (r && r.id === id ? { ...r, running: false, error } : r));
        if (error.kind === 'cancelled') say('Cancelled.');
      });
  };

  /** Asks `q` in `context` (by default the current thread; null asks a fresh question). When
   *  `stay` (by default: asked in a thread), the thread moves on to the answer; an answer with no
   *  SQL leaves it where it was. */
  const ask = (q: string, context: Thread | null = thread, stay: boolean = context !== null) => {
    if (!database) {
      setView('data');
      say('Open a database first.');
      return;
    }
    setQuestion(q);
    const next = pushHistory(history, q);
    setHistory(next);
    saveHistory(localStorage, next);
    setView('ask');
    if (context !== thread) setThread(context);
    const followUp = followUpOf(context);
    start(
      q,
      context,
      (requestId, onEvent) => backend.ask({ question: q, database, requestId, followUp }, onEvent),
      (answer) => {
        if (stay) setThread(threadAfter(context, q, answer) ?? context);
      },
    );
  };

  const followUp = () => {
    if (!shown) return;
    setThread(threadAfter(shown.context, shown.question, shown.answer));
    setQuestion('');
    setTimeout(() => questionRef.current?.focus(), 0);
  };
  const newQuestion = () => {
    setThread(null);
    setQuestion('');
    setTimeout(() => questionRef.current?.focus(), 0);
  };

  const rerun = (sql: string) => {
    if (!database || !shown) return;
    const answer = shown.answer;
    const result = (answer.analysis_result ?? {}) as Record<string, unknown>;
    const analysis = rerunAnalysis(answer);
    const horizon = analysis === 'forecast' && typeof result.horizon === 'number' ? result.horizon : null;
    // The edited SQL's answer takes the place of the one it came from, in the same thread.
    start(
      shown.question,
      shown.context,
      (requestId, onEvent) => backend.analyze({ analysis, database, sql, horizon, requestId }, onEvent),
      (answer) => setThread((t) => (t && answer.sql ? { ...t, sql: answer.sql } : t)),
    );
  };

  const cancel = useCallback(() => {
    const r = runRef.current;
    if (r?.running) void backend.cancel(r.id);
  }, [backend]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setView('ask');
        setTimeout(() => questionRef.current?.focus(), 0);
      } else if (mod && e.key === ',') {
        e.preventDefault();
        setView('settings');
      } else if (e.key === 'Escape' && runRef.current?.running) {
        e.preventDefault();
        cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cancel]);

  // A view opens at its top (the page scrolls as a whole, under the sticky top bar); a layout
  // effect, so it happens with the render, never after something else scrolled.
  useLayoutEffect(() => window.scrollTo(0, 0), [view]);

  const vocab = useMemo(() => vocabulary(schema), [schema]);
  const ideas = useMemo(() => suggestions(schema), [schema]);
  const running = !!run?.running;

  return (
    <div class="app">
      <header class="topbar">
        <div class="brand">Sightline</div>
        <nav class="views" role="tablist">
          {(['ask', 'data', 'glossary', 'settings'] as View[]).map((v) => (
            <button
              type="button"
              key={v}
              role="tab"
              aria-selected={view === v}
              class={view === v ? 'active' : ''}
              onClick={() => setView(v)}
              data-testid={`nav-${v}`}
            >
              {v === 'ask' ? 'Ask' : v === 'data' ? 'Data' : v === 'glossary' ? 'Glossary' : 'Settings'}
            </button>
          ))}
        </nav>
        <div class="db-chip" title={database ?? ''} data-testid="current-db">
          {database ? baseName(database) : 'No database'}
        </div>
      </header>

      <main class="content">
        {view === 'data' && (
          <div class="data-view">
            <ConnectPanel
              backend={backend}
              connections={connections}
              current={database}
              busy={opening}
              onOpen={(p) => void openDatabase(p)}
              onForget={(p) => void backend.forgetConnection(p).then(setConnections)}
            />
            {opening && <p class="muted" data-testid="opening">Opening…</p>}
            {openError && <ErrorState kind={openError.kind} message={openError.message} />}
            {schema ? (
              <SchemaBrowser schema={schema} />
            ) : (
              !openError && <div class="empty panel">Open a database to see its tables, columns, keys and sample values.</div>
            )}
          </div>
        )}

        {view === 'ask' && (
          <div class="ask-view">
            <QuestionBox
              value={question}
              onChange={setQuestion}
              onAsk={ask}
              history={history}
              running={running}
              disabled={!database}
              inputRef={questionRef}
              followingUp={!!thread}
            />
            {database && (
              <FollowUpBar
                thread={thread}
                canFollow={!!shown && !!shown.answer.sql && !running}
                onFollow={followUp}
                onDismiss={() => setThread(null)}
                onNewQuestion={newQuestion}
                disabled={running}
              />
            )}
            {!database && (
              <div class="empty panel" data-testid="empty-no-db">
                <p>Open a SQLite database to start asking questions.</p>
                <button type="button" class="primary" onClick={() => setView('data')}>
                  Open a database
                </button>
              </div>
            )}
            {database && (!shown || run?.error?.kind === 'not_understood' || shown.answer.error?.kind === 'not_understood') && (
              <Suggestions items={ideas} onPick={(q) => ask(q, null)} disabled={running} />
            )}
            {run && (run.running || run.stages.length > 0) && (
              <Stages rows={run.stages} running={run.running} startedAt={run.startedAt} onCancel={cancel} streaming={backend.kind === 'tauri'} />
            )}
            {run?.error && run.error.kind !== 'cancelled' && <ErrorState kind={run.error.kind} message={run.error.message} />}
            {shown && !(run?.error && run.error.kind !== 'cancelled') && (
              <AnswerView
                answer={shown.answer}
                question={shown.question}
                requestId={shown.requestId}
                backend={backend}
                settings={settings}
                sandbox={sandbox}
                theme={theme}
                vocab={vocab}
                running={running}
                onAsk={(q) => ask(q, shown.context, thread !== null)}
                onRerun={rerun}
                onNotice={say}
              />
            )}
            {database && !shown && !run && (
              <div class="empty hint muted">
                <p>
                  <kbd>Enter</kbd> asks · <kbd>↑</kbd>/<kbd>↓</kbd> history · <kbd>Esc</kbd> cancels · <kbd>Ctrl+K</kbd> question ·{' '}
                  <kbd>Ctrl+Enter</kbd> re-runs SQL · <kbd>Ctrl+,</kbd> settings
                </p>
              </div>
            )}
          </div>
        )}

        {view === 'glossary' && <GlossaryView backend={backend} database={database} onNotice={say} />}

        {view === 'settings' && (
          <SettingsView
            backend={backend}
            settings={settings}
            onSaved={setSettings}
            sandbox={sandbox}
            onRefreshSandbox={refreshSandbox}
            onNotice={say}
          />
        )}
      </main>
      {dragging && (
        <div class="drop-overlay" data-testid="drop-overlay">
          <div>Drop a SQLite file to open it</div>
        </div>
      )}
      {notice && (
        <div class="toast" role="status" data-testid="notice">
          {notice}
        </div>
      )}
    </div>
  );
}
