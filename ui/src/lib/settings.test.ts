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
      base_url: 'ftp://x',
      sandbox_timeout_s: 0,
      sandbox_memory: 'lots',
      sandbox_pool_size: 9,
      max_rows: 1.5,
      theme: 'neon' as never,
      sandbox_mode: 'vm' as never,
    });
    expect(Object.keys(errors).sort()).toEqual(
      ['base_url', 'max_rows', 'model_profile', 'sandbox_memory', 'sandbox_mode', 'sandbox_pool_size', 'sandbox_timeout_s', 'theme'].sort(),
    );
  });

  it('needs a base URL for a model profile other than offline', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: 'local' }).base_url).toBeTruthy();
    expect(validateSettings({ ...DEFAULT_SETTINGS, model_profile: 'local', base_url: 'http://localhost:11434/v1' })).toEqual({});
  });

  it('parses memory sizes', () => {
    expect(memoryBytes('512m')).toBe(512 * 1024 ** 2);
    expect(memoryBytes('1G')).toBe(1024 ** 3);
    expect(memoryBytes('1.5g')).toBeNull();
    expect(validateSettings({ ...DEFAULT_SETTINGS, sandbox_memory: '32m' }).sandbox_memory).toBeTruthy();
  });

  it('fills missing or mistyped fields from the defaults', () => {
    expect(withDefaults({ max_rows: '10', theme: 'dark', extra: 1 })).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
    expect(withDefaults(null)).toEqual(DEFAULT_SETTINGS);
  });
});
