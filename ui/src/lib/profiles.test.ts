// The profile editor's checks mirror the engine's (`check_profiles` in llm/profile.rs and its
// tests): the same inputs are accepted and refused here.

import { describe, expect, it } from 'vitest';

import type { ModelProfile, ProfileView } from '../backend/types';
import { activeProblem, findView, isHttpUrl, newProfile, parseMethod, profileNames, profilesProblem, validateProfile, viewOf } from './profiles';

const custom = (name: string, base_url: string): ModelProfile => ({ name, provider: 'custom', base_url, model: 'm' });

const PRESETS: ProfileView[] = [
  { name: 'groq', provider: 'groq', base_url: 'https://api.groq.com/openai/v1', model: 'llama-3.3-70b-versatile', needs_key: true, saved: false },
  { name: 'ollama', provider: 'ollama', base_url: 'http://localhost:11434/v1', model: 'llama3.1', needs_key: false, saved: false },
  { name: 'lmstudio', provider: 'lmstudio', base_url: 'http://localhost:1234/v1', model: '', needs_key: false, saved: false },
  { name: 'custom', provider: 'custom', base_url: '', model: '', needs_key: false, saved: false },
];

describe('profile editor validation (as the engine checks profiles)', () => {
  it('accepts a custom profile with an http(s) base URL', () => {
    expect(validateProfile(custom('a', 'http://x/v1'), [])).toEqual({});
    expect(validateProfile(custom('work.gpu-2_b', 'https://10.0.0.5:8000/v1/'), [])).toEqual({});
    expect(profilesProblem([custom('a', 'http://x/v1')])).toBeNull();
  });

  it('needs a base URL for a custom profile, and none for a preset provider', () => {
    expect(validateProfile(custom('a', ''), []).base_url).toMatch(/needs the address/);
    expect(validateProfile({ name: 'fast', provider: 'groq', base_url: '', model: '' }, [])).toEqual({});
  });

  it('refuses reserved, duplicate and unusable names', () => {
    expect(validateProfile(custom('env', 'http://x'), []).name).toMatch(/reserved/);
    expect(validateProfile(custom('offline', 'http://x'), []).name).toMatch(/reserved/);
    expect(validateProfile(custom('a', 'http://y'), [custom('a', 'http://x')]).name).toMatch(/already named/);
    expect(validateProfile(custom('a b', 'http://x'), []).name).toBeTruthy();
    expect(validateProfile(custom('', 'http://x'), []).name).toBeTruthy();
    expect(validateProfile(custom('x'.repeat(65), 'http://x'), []).name).toBeTruthy();
    expect(validateProfile(custom('ü', 'http://x'), []).name).toBeTruthy();
    expect(profilesProblem([custom('a', 'http://x'), custom('a', 'http://y')])).toMatch(/already named "a"/);
  });

  it('refuses base URLs the engine refuses', () => {
    for (const bad of ['file:///etc', 'ftp://example.com', 'http://', 'localhost:11434', 'http://a b/v1', 'javascript:alert(1)']) {
      expect(validateProfile(custom('a', bad), []).base_url, bad).toBeTruthy();
      expect(isHttpUrl(bad), bad).toBe(false);
    }
  });

  it('knows which names the active profile may take', () => {
    expect(profileNames([])).toEqual(['offline', 'groq', 'openai', 'ollama', 'lmstudio', 'openrouter', 'anthropic']);
    // A profile named like a preset replaces it.
    expect(profileNames([{ name: 'groq', provider: 'groq', base_url: '', model: 'x' }]).filter((n) => n === 'groq')).toHaveLength(1);
    expect(activeProblem('env', [])).toBeNull();
    expect(activeProblem('mine', [])).toMatch(/no profile named "mine"/);
    expect(activeProblem('mine', [custom('mine', 'http://x')])).toBeNull();
  });

  it('makes new profiles with a free name', () => {
    expect(newProfile([]).name).toBe('my-model');
    expect(newProfile([custom('my-model', 'http://x')]).name).toBe('my-model-2');
    expect(validateProfile({ ...newProfile([]), base_url: 'http://x' }, [])).toEqual({});
  });

  it('fills empty fields from the provider preset, like the engine', () => {
    const view = viewOf({ name: 'fast', provider: 'groq', base_url: '', model: 'llama-3.1-8b-instant' }, PRESETS, true);
    expect(view).toEqual({ name: 'fast', provider: 'groq', base_url: 'https://api.groq.com/openai/v1', model: 'llama-3.1-8b-instant', needs_key: true, saved: true });
    expect(viewOf(custom('c', 'http://h:1/v1/'), PRESETS, true).base_url).toBe('http://h:1/v1');
    expect(findView('ollama', [], PRESETS)?.model).toBe('llama3.1');
    expect(findView('custom', [], PRESETS)).toBeNull();
    expect(findView('c', [custom('c', 'http://h/v1')], PRESETS)?.saved).toBe(true);
  });

  it('reads llm:PROVIDER:MODEL, models with colons included', () => {
    expect(parseMethod('llm:ollama:llama3.1:8b')).toEqual({ provider: 'ollama', model: 'llama3.1:8b' });
    expect(parseMethod('offline')).toBeNull();
  });
});
