// Model profiles in the settings: the checks of the engine's `check_profiles` and
// `Settings::validated` (llm/profile.rs, settings.rs) said next to the field before anything is
// sent, and how a profile looks once its empty fields take the provider's preset (the engine's
// `ProfileView`). The presets themselves come from the app (`llm_profiles`), never from here.

import type { ModelProfile, ProfileView, Provider } from '../backend/types';

export const OFFLINE = 'offline';
export const ENV_PROFILE = 'env';

/** Providers in the order the engine lists them (`Provider::ALL`). */
export const PROVIDERS: readonly Provider[] = ['groq', 'openai', 'ollama', 'lmstudio', 'openrouter', 'anthropic', 'custom'];

export const PROVIDER_LABEL: Record<Provider, string> = {
  groq: 'Groq',
  openai: 'OpenAI',
  ollama: 'Ollama (local)',
  lmstudio: 'LM Studio (local)',
  openrouter: 'OpenRouter',
  anthropic: 'Anthropic',
  custom: 'Other OpenAI-compatible server',
};

/** The presets a user can pick by name (every provider but `custom`). */
export const PRESET_NAMES: readonly string[] = PROVIDERS.filter((p) => p !== 'custom');

export type ProfileErrors = Partial<Record<'name' | 'base_url', string>>;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The engine's `is_http_url`: http:// or https://, a host, no blanks or control characters. */
export function isHttpUrl(text: string): boolean {
  const rest = text.startsWith('https://') ? text.slice(8) : text.startsWith('http://') ? text.slice(7) : null;
  if (rest === null) return false;
  const host = rest.split(/[/?#]/)[0];
  return host !== '' && !/[\s\u0000-\u001f\u007f]/.test(text);
}

/** What is wrong with `profile` among `others` (the other saved profiles), field by field. */
export function validateProfile(profile: ModelProfile, others: readonly ModelProfile[]): ProfileErrors {
  const errors: ProfileErrors = {};
  const name = profile.name.trim();
  if (!NAME.test(name)) {
    errors.name = 'Up to 64 letters, digits, "-", "_" or "." (no spaces); it also names the key in the keychain.';
  } else if (name === OFFLINE || name === ENV_PROFILE) {
    errors.name = `"${name}" is reserved; choose another name.`;
  } else if (others.some((o) => o.name.trim() === name)) {
    errors.name = `Another profile is already named "${name}".`;
  }
  const url = profile.base_url.trim();
  if (url === '') {
    if (profile.provider === 'custom') {
      errors.base_url = 'A custom profile needs the address of its server, such as http://localhost:8080/v1.';
    }
  } else if (!isHttpUrl(url)) {
    errors.base_url = 'Enter an http:// or https:// address, or leave it empty to use the preset.';
  }
  return errors;
}

/** The first problem of a whole profile list (as the engine reports it), or null. */
export function profilesProblem(profiles: readonly ModelProfile[]): string | null {
  for (const [i, profile] of profiles.entries()) {
    const errors = validateProfile(profile, profiles.slice(0, i));
    const first = errors.name ?? errors.base_url;
    if (first) return `Profile "${profile.name}": ${first}`;
  }
  return null;
}

/** The names the active profile may take: offline, env, the presets not replaced, the user's own. */
export function profileNames(profiles: readonly ModelProfile[]): string[] {
  const own = profiles.map((p) => p.name.trim());
  return [OFFLINE, ...PRESET_NAMES.filter((n) => !own.includes(n)), ...own];
}

/** Why `active` cannot be the active profile, or null when it can. */
export function activeProblem(active: string, profiles: readonly ModelProfile[]): string | null {
  const name = active.trim();
  if (name === ENV_PROFILE || profileNames(profiles).includes(name)) return null;
  return `There is no profile named "${name}"; choose offline or one of the listed profiles.`;
}

/** A blank profile of `provider` with a name not used yet. */
export function newProfile(profiles: readonly ModelProfile[], provider: Provider = 'custom'): ModelProfile {
  const taken = new Set([OFFLINE, ENV_PROFILE, ...PRESET_NAMES, ...profiles.map((p) => p.name)]);
  let name = 'my-model';
  for (let i = 2; taken.has(name); i++) name = `my-model-${i}`;
  return { name, provider, base_url: '', model: '' };
}

/** `profile` the way calls will see it: empty fields take the preset of its provider. */
export function viewOf(profile: ModelProfile, presets: readonly ProfileView[], saved: boolean): ProfileView {
  const preset = presets.find((p) => p.provider === profile.provider);
  const pick = (own: string, fallback: string) => (own.trim() || fallback).replace(/\/+$/, '');
  return {
    name: profile.name.trim(),
    provider: profile.provider,
    base_url: pick(profile.base_url, preset?.base_url ?? ''),
    model: pick(profile.model, preset?.model ?? ''),
    needs_key: preset?.needs_key ?? false,
    saved,
  };
}

/** The view of the profile named `name` in a draft (the user's own first, then the presets). */
export function findView(name: string, profiles: readonly ModelProfile[], presets: readonly ProfileView[]): ProfileView | null {
  const own = profiles.find((p) => p.name.trim() === name);
  if (own) return viewOf(own, presets, true);
  const preset = presets.find((p) => p.name === name && p.provider !== 'custom');
  return preset ?? null;
}

/** `llm:PROVIDER:MODEL` split for people; null for `offline` or anything else. */
export function parseMethod(method: string): { provider: string; model: string } | null {
  const m = /^llm:([^:]+):(.*)$/.exec(method);
  return m ? { provider: m[1], model: m[2] } : null;
}
