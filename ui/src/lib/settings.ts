// Settings defaults and validation. The desktop app validates again in Rust (`settings_set`);
// this check gives the user the reason next to the field before anything is sent. Model profiles
// are checked by `profiles.ts`.

import type { Author, ModelProfile, SandboxMode, Settings, Theme } from '../backend/types';
import { activeProblem, isHttpUrl, PROVIDERS, profilesProblem } from './profiles';

export const DEFAULT_SETTINGS: Settings = {
  model_profile: 'offline',
  profiles: [],
  analysis_author: 'native',
  chart_author: 'native',
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
export const AUTHORS: readonly Author[] = ['native', 'model'];

export type SettingsErrors = Partial<Record<keyof Settings, string>>;

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
  const profiles = profilesProblem(s.profiles);
  if (profiles) errors.profiles = profiles;
  const active = activeProblem(s.model_profile, s.profiles);
  if (active) errors.model_profile = active;
  if (!AUTHORS.includes(s.analysis_author)) errors.analysis_author = 'Choose native or model.';
  if (!AUTHORS.includes(s.chart_author)) errors.chart_author = 'Choose native or model.';
  if (!SANDBOX_MODES.includes(s.sandbox_mode)) {
    errors.sandbox_mode = 'Choose auto, docker, restricted or off.';
  }
  if (!Number.isInteger(s.sandbox_timeout_s) || s.sandbox_timeout_s < 1 || s.sandbox_timeout_s > 600) {
    errors.sandbox_timeout_s = 'A whole number of seconds from 1 to 600.';
  }
  const bytes = memoryBytes(s.sandbox_memory);
  if (bytes === null || bytes < 128 * 1024 ** 2 || bytes > 16 * 1024 ** 3) {
    errors.sandbox_memory = 'A size from 128m to 16g, such as 512m or 1g.';
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

function isProfile(value: unknown): value is ModelProfile {
  if (!value || typeof value !== 'object') return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.name === 'string' &&
    PROVIDERS.includes(p.provider as ModelProfile['provider']) &&
    typeof p.base_url === 'string' &&
    (p.base_url === '' || isHttpUrl(p.base_url)) &&
    typeof p.model === 'string'
  );
}

/** Defaults for every field missing or of the wrong type in `raw` (old or hand-edited stores). */
export function withDefaults(raw: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, profiles: [] };
  if (!raw || typeof raw !== 'object') return out;
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
    if (key === 'profiles') continue;
    if (typeof r[key] === typeof DEFAULT_SETTINGS[key]) {
      (out as unknown as Record<string, unknown>)[key] = r[key];
    }
  }
  if (Array.isArray(r.profiles)) out.profiles = r.profiles.filter(isProfile);
  if (activeProblem(out.model_profile, out.profiles)) out.model_profile = DEFAULT_SETTINGS.model_profile;
  return out;
}
