// The one interface the views talk to; `tauri.ts` and `http.ts` implement it.
//
// The wire types of the answer, the settings and the model profiles come from Rust
// (`../generated/contract.ts`, ts-rs). The types below (SandboxStatus, Connections, SandboxResult,
// LlmProfiles) are still hand-written, kept together in this file so they can be swapped for
// generated ones in one move.

export type {
  AnalysisType,
  Answer,
  Author,
  Check,
  ErrorKind,
  FollowUp,
  ModelProfile,
  ProfileView,
  Provider,
  SandboxMode,
  Schema,
  SentToModel,
  Settings,
  StageEvent,
  Theme,
} from '../generated/contract';
// The ones this file's own types use.
import type {
  AnalysisType,
  Answer,
  Check,
  ErrorKind,
  FollowUp,
  ProfileView,
  Schema,
  Settings,
  StageEvent,
} from '../generated/contract';

/** The desktop app's `llm_profiles`: what the model profile picker offers. */
export interface LlmProfiles {
  /** Presets and the user's own profiles, with the presets' values filled in. */
  profiles: ProfileView[];
  /** Every provider's preset (custom included, empty), named after the provider. */
  presets: ProfileView[];
  active: string;
  /** Models of an Ollama server on localhost:11434, or null when none answers. */
  ollama: string[] | null;
}

export interface SandboxStatus {
  docker: boolean;
  image: boolean;
  restricted: boolean;
  message: string;
}

export interface GlossaryText {
  text: string | null;
  source: 'app' | 'beside' | null;
}

export interface Connections {
  recent: string[];
  sample: string | null;
  /** The desktop app only: a database named on its command line, opened at start. */
  open?: string | null;
  /** The desktop app only: problems met while loading the settings, said once. */
  warnings?: string[];
}

/** A Plotly figure as the engine and the sandbox send it. */
export interface Figure {
  data: unknown[];
  layout: Record<string, unknown>;
}

/** CONTRACT.md's sandbox result. */
export interface SandboxResult {
  success: boolean;
  result: unknown;
  output: string;
  error: string | null;
  visualization: Figure | null;
  mode_used: string | null;
  duration_ms: number;
}

export interface SandboxRunRequest {
  code: string;
  /** NAME → CSV text; the code sees each as the DataFrame NAME. */
  data: Record<string, string>;
  mode: string;
  timeout: number;
  memory: string;
}

export interface AskRequest {
  question: string;
  database: string;
  requestId: string;
  /** The question this one follows up and the SQL that answered it (see lib/followup.ts). */
  followUp?: FollowUp | null;
}

export interface AnalyzeRequest {
  analysis: AnalysisType;
  database: string;
  sql: string;
  target?: string | null;
  dateColumn?: string | null;
  horizon?: number | null;
  method?: string | null;
  threshold?: number | null;
  /** Overrides the detected seasonal period (forecast and anomaly); 1 means none. */
  seasonLength?: number | null;
  requestId: string;
}

export type ExportFormat = 'csv' | 'html';

/** A failure that is not an answer (the call could not start, or a non-answer command failed). */
export class BackendError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'BackendError';
  }
}

const KINDS: readonly ErrorKind[] = [
  'bad_input',
  'not_understood',
  'sql_rejected',
  'database',
  'llm_unavailable',
  'llm_failed',
  'sandbox_unavailable',
  'keychain_unavailable',
  'timeout',
  'cancelled',
  'internal',
];

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (KINDS as readonly string[]).includes(value);
}

/** Turns whatever a backend threw (a `{kind|code, message}` object, an Error, a string) into a BackendError. */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (error && typeof error === 'object') {
    const o = error as Record<string, unknown>;
    const inner = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : o;
    const kind = isErrorKind(inner.kind) ? inner.kind : isErrorKind(inner.code) ? inner.code : null;
    if (typeof inner.message === 'string') {
      return new BackendError(kind ?? 'internal', inner.message);
    }
    if (error instanceof Error) {
      return new BackendError(error.name === 'AbortError' ? 'cancelled' : 'internal', error.message);
    }
  }
  if (typeof error === 'string') return new BackendError('internal', error);
  return new BackendError('internal', 'Something went wrong inside Sightline.');
}

export interface Backend {
  readonly kind: 'tauri' | 'http';
  /** The whole pipeline; stage events stream through `onEvent` where the backend can stream. */
  ask(request: AskRequest, onEvent: (event: StageEvent) => void): Promise<Answer>;
  analyze(request: AnalyzeRequest, onEvent: (event: StageEvent) => void): Promise<Answer>;
  cancel(requestId: string): Promise<boolean>;
  schema(database: string): Promise<Schema>;
  connections(): Promise<Connections>;
  /** Records a database the user opened (the desktop app records it itself). */
  remember(database: string): Promise<void>;
  forgetConnection(path: string): Promise<Connections>;
  /** A native file picker where there is one; `null` when cancelled or unavailable. */
  pickDatabase(): Promise<string | null>;
  /** Whether `pickDatabase` shows a native dialog (otherwise the UI shows a path field). */
  readonly canPickFiles: boolean;
  /**
   * Paths dropped onto the window (desktop only), and whether files are being dragged over it;
   * resolves to an unsubscribe function.
   */
  onFileDrop(handler: (paths: string[]) => void, hover?: (over: boolean) => void): Promise<() => void>;

  settingsGet(): Promise<Settings>;
  settingsSet(settings: Settings): Promise<Settings>;
  /** Whether keys can be stored here; when false, `keyMessage` says why. */
  readonly keysSupported: boolean;
  readonly keyMessage: string;
  keySet(profile: string, key: string): Promise<boolean>;
  keyClear(profile: string): Promise<boolean>;
  keyStatus(profile: string): Promise<boolean>;
  /** Desktop only: the model profiles to pick from, and a check of a saved profile (its models
   *  and a one-line chat). Absent where language models cannot be used (the browser). */
  llmProfiles?: () => Promise<LlmProfiles>;
  llmTest?: (profile: string) => Promise<Check>;

  sandboxStatus(): Promise<SandboxStatus>;
  sandboxRun(request: SandboxRunRequest): Promise<SandboxResult>;
  /** Desktop only: builds the sandbox image (Docker + internet), streaming the build's lines;
   *  resolves to one sentence saying what was built. Absent where the UI cannot build it. */
  sandboxBuildImage?: (onProgress: (line: string) => void) => Promise<string>;
  /** Desktop only: the glossary used for a database (the app's kept one, else glossary.json
   *  beside the database) and keeping an edited one in the app's folder. */
  glossaryGet?: (database: string) => Promise<GlossaryText>;
  glossarySet?: (database: string, text: string) => Promise<void>;

  /**
   * Saves an answer as CSV or an HTML report. Resolves to where it went (a path, or a file
   * name for a download), or null when the user cancelled.
   */
  exportAnswer(requestId: string, answer: Answer, format: ExportFormat): Promise<string | null>;
  /** Saves a PNG given as base64; resolves like exportAnswer. */
  savePng(base64: string, suggestedName: string): Promise<string | null>;
  /** Saves an SVG document given as text; resolves like exportAnswer. */
  saveSvg(svg: string, suggestedName: string): Promise<string | null>;
}
