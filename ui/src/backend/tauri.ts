// The desktop backend: Tauri commands (src-tauri) over `invoke`, stage events over a `Channel`,
// native open/save dialogs from the dialog plugin. Command names and argument shapes are fixed
// (Tauri turns the camelCase argument names into the snake_case Rust parameters).

import { Channel, invoke } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';

import type {
  AnalyzeRequest,
  Answer,
  AskRequest,
  Backend,
  Check,
  Connections,
  ExportFormat,
  GlossaryText,
  LlmProfiles,
  SandboxResult,
  SandboxRunRequest,
  SandboxStatus,
  Schema,
  Settings,
  StageEvent,
} from './types';
import { toBackendError } from './types';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

function channel(onEvent: (event: StageEvent) => void): Channel<StageEvent> {
  const events = new Channel<StageEvent>();
  events.onmessage = onEvent;
  return events;
}

const SQLITE_FILTER = [
  { name: 'SQLite database', extensions: ['db', 'sqlite', 'sqlite3', 'db3'] },
  { name: 'All files', extensions: ['*'] },
];

export function tauriBackend(): Backend {
  return {
    kind: 'tauri',
    canPickFiles: true,
    keysSupported: true,
    keyMessage: 'Keys are kept in the system keychain; Sightline never shows them again.',

    ask: (request: AskRequest, onEvent) =>
      call<Answer>('ask', { request, onEvent: channel(onEvent) }),
    analyze: (request: AnalyzeRequest, onEvent) =>
      call<Answer>('analyze', { request, onEvent: channel(onEvent) }),
    cancel: (requestId) => call<boolean>('cancel', { requestId }),
    schema: (database) => call<Schema>('schema', { database }),
    connections: () => call<Connections>('connections', {}),
    // The app records a database when it opens its schema; nothing to do here.
    remember: async () => {},
    forgetConnection: (path) => call<Connections>('forget_connection', { path }),
    pickDatabase: async () => {
      const picked = await open({ multiple: false, directory: false, filters: SQLITE_FILTER });
      return typeof picked === 'string' ? picked : null;
    },
    onFileDrop: async (handler, hover) =>
      getCurrentWebview().onDragDropEvent((event) => {
        const { payload } = event;
        if (payload.type === 'enter') hover?.(true);
        else if (payload.type === 'leave') hover?.(false);
        else if (payload.type === 'drop') {
          hover?.(false);
          if (payload.paths.length > 0) handler(payload.paths);
        }
      }),

    settingsGet: () => call<Settings>('settings_get', {}),
    settingsSet: (settings) => call<Settings>('settings_set', { settings }),
    keySet: (profile, key) => call<boolean>('key_set', { profile, key }),
    keyClear: (profile) => call<boolean>('key_clear', { profile }),
    keyStatus: (profile) => call<boolean>('key_status', { profile }),
    llmProfiles: () => call<LlmProfiles>('llm_profiles', {}),
    llmTest: (profile) => call<Check>('llm_test', { profile }),

    sandboxStatus: () => call<SandboxStatus>('sandbox_status', {}),
    sandboxRun: (request: SandboxRunRequest) => call<SandboxResult>('sandbox_run', { request }),
    glossaryGet: (database) => call<GlossaryText>('glossary_get', { database }),
    glossarySet: (database, text) => call<void>('glossary_set', { database, text }),
    sandboxBuildImage: (onProgress) => {
      const progress = new Channel<string>();
      progress.onmessage = onProgress;
      return call<string>('sandbox_build_image', { onProgress: progress });
    },

    exportAnswer: async (requestId, _answer, format: ExportFormat) =>
      format === 'csv'
        ? saveAs('sightline-answer.csv', 'CSV', 'csv', (path) => call<null>('export_answer', { requestId, format, path }))
        : saveAs('sightline-report.html', 'HTML report', 'html', (path) => call<null>('export_answer', { requestId, format, path })),
    savePng: (base64, suggestedName) =>
      saveAs(suggestedName, 'PNG image', 'png', (path) => call<null>('save_png', { path, base64 })),
    saveSvg: (svg, suggestedName) => saveAs(suggestedName, 'SVG image', 'svg', (path) => call<null>('save_svg', { path, svg })),
  };
}

/** Asks where to save (the native save dialog, one file type), then writes there with `write`;
 *  resolves to the path, or null when the dialog is cancelled. */
async function saveAs(
  defaultPath: string,
  kind: string,
  extension: string,
  write: (path: string) => Promise<unknown>,
): Promise<string | null> {
  const path = await save({ defaultPath, filters: [{ name: kind, extensions: [extension] }] });
  if (!path) return null;
  await write(path);
  return path;
}
