import { describe, expect, it } from 'vitest';

import { DEFAULT_SETTINGS, memoryBytes, validateSettings, withDefaults } from './settings';

describe('settings validation', () => {
  it('accepts the defaults', () => {
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual({});
  });

  it('names each bad field', () => {
    const errors = validateSettings({
      ...DEFAULT_SETTINGS,
      model_profile: 'has spaces',
      profiles: [{ name: 'x', provider: 'custom', base_url: '', model: 'm' }],
      analysis_author: 'robot' as never,
      sandbox_timeout_s: 0,
      sandbox_memory: 'lots',
      sandbox_pool_size: 9,
      max_rows: 1.5,
      theme: 'neon' as never,
      sandbox_mode: 'vm' as never,
    });
    expect(Object.keys(errors).sort()).toEqual(
      [
        'analysis_author',
        'max_rows',
        'model_profile',
        'profiles',
        'sandbox_memory',
        'sandbox_mode',
        'sandbox_pool_size',
        'sandbox_timeout_s',
        'theme',
      ].sort(),
    );
  });

  it('takes offline, env, a preset or one of the profiles as the active profile', () => {
    for (const name of ['offline', 'env', 'groq', 'ollama', 'anthropic']) {
      expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: name })).toEqual({});
    }
    expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: 'local' }).model_profile).toMatch(/no profile named "local"/);
    expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: 'custom' }).model_profile).toBeTruthy();
    const profiles = [{ name: 'local', provider: 'ollama' as const, base_url: '', model: 'qwen2.5' }];
    expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: 'local', profiles })).toEqual({});
  });

  it('parses memory sizes and keeps the engine range (128m to 16g)', () => {
    expect(memoryBytes('512m')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('1G')).toBe(1024 ** 3);
    expect(memoryBytes('1.5g')).toBeNull();
    expect(validateSettings({ ...DEFAULT_SETTINGS, sandbox_memory: '64m' }).sandbox_memory).toBeTruthy();
    expect(validateSettings({ ...DEFAULT_SETTINGS, sandbox_memory: '128m' })).toEqual({});
  });

  it('fills missing or mistyped fields from the defaults', () => {
    expect(withDefaults({ max_rows: '10', theme: 'dark', extra: 1 })).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
    expect(withDefaults(null)).toEqual(DEFAULT_SETTINGS);
    // An old store with base_url, a broken profile and an active profile that no longer exists.
    const old = withDefaults({
      model_profile: 'gone',
      base_url: 'http://x',
      profiles: [{ name: 'ok', provider: 'custom', base_url: 'http://h/v1', model: 'm' }, { name: 'bad', provider: 'nope' }],
    });
    expect(old.profiles.map((p) => p.name)).toEqual(['ok']);
    expect(old.model_profile).toBe('offline');
    expect('base_url' in old).toBe(false);
  });
});
