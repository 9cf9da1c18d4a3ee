// Settings defaults and validation. The desktop app validates again in Rust (`settings_set`);
// this check gives the user the reason next to the field before anything is sent.

import type { SandboxMode, Settings, Theme } from '../backend/types';

export const DEFAULT_SETTINGS: Settings = {
  model_profile: 'offline',
  base_url: '',
  schema_only: true,
  sandbox_mode: 'auto',
  sandbox_timeout_s: 30,
  sandbox_memory: '512m',
  sandbox_pool_size: 2,
  theme: 'system',
  max_rows: 10_000,
};

export const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'docker', 'restricted', 'off'];
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

export type SettingsErrors = Partial<Record<keyof Settings, string>>;

const PROFILE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MEMORY = /^\s*(\d+)\s*([kmg]?)b?\s*$/i;

/** Bytes of a memory size such as `512m` or `1g`; null when it does not parse. */
export function memoryBytes(text: string): number | null {
  const m = MEMORY.exec(text);
  if (!m) return null;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

/** Field → what is wrong with it, in words a user can act on. Empty when all is well. */
export function validateSettings(s: Settings): SettingsErrors {
  const errors: SettingsErrors = {};
  if (!PROFILE.test(s.model_profile.trim())) {
    errors.model_profile = 'Use "offline" or a profile name of letters, digits, "-", "_", "." or ":".';
  }
  const url = s.base_url.trim();
  if (url !== '') {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
      errors.base_url = 'Enter an http:// or https:// address, or leave it empty.';
    }
  } else if (s.model_profile.trim() !== 'offline') {
    errors.base_url = 'A language-model profile needs the address of an OpenAI-compatible endpoint.';
  }
  if (!SANDBOX_MODES.includes(s.sandbox_mode)) {
    errors.sandbox_mode = 'Choose auto, docker, restricted or off.';
  }
  if (!Number.isInteger(s.sandbox_timeout_s) || s.sandbox_timeout_s < 1 || s.sandbox_timeout_s > 600) {
    errors.sandbox_timeout_s = 'A whole number of seconds from 1 to 600.';
  }
  const bytes = memoryBytes(s.sandbox_memory);
  if (bytes === null || bytes < 64 * 1024 ** 2 || bytes > 16 * 1024 ** 3) {
    errors.sandbox_memory = 'A size from 64m to 16g, such as 512m or 1g.';
  }
  if (!Number.isInteger(s.sandbox_pool_size) || s.sandbox_pool_size < 0 || s.sandbox_pool_size > 8) {
    errors.sandbox_pool_size = 'From 0 (no warm containers) to 8.';
  }
  if (!THEMES.includes(s.theme)) errors.theme = 'Choose system, light or dark.';
  if (!Number.isInteger(s.max_rows) || s.max_rows < 1 || s.max_rows > 1_000_000) {
    errors.max_rows = 'A whole number of rows from 1 to 1,000,000.';
  }
  return errors;
}

/** Defaults for every field missing or of the wrong type in `raw` (old or hand-edited stores). */
export function withDefaults(raw: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS };
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    if (typeof r[key] === typeof DEFAULT_SETTINGS[key]) {
      (out as unknown as Record<string, unknown>)[key] = r[key];
    }
  }
  return out;
}
