// Picks the backend once at start: inside the desktop app Tauri injects `__TAURI_INTERNALS__`;
// anywhere else the UI talks to `sightline serve` on its own origin.

import type { Backend } from './types';
import { httpBackend } from './http';

export type BackendKind = 'tauri' | 'http';

export function backendKind(win: object): BackendKind {
  return '__TAURI_INTERNALS__' in win && (win as Record<string, unknown>).__TAURI_INTERNALS__ != null
    ? 'tauri'
    : 'http';
}

export async function loadBackend(win: Window = window): Promise<Backend> {
  if (backendKind(win) === 'tauri') {
    // Loaded only in the desktop app, so the browser build never runs Tauri code.
    const { tauriBackend } = await import('./tauri');
    return tauriBackend();
  }
  return httpBackend(win.localStorage);
}
