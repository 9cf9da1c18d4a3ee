// Settings: model profile and endpoint, the API key (set, clear, "is set"; the key itself never
// comes back from the backend and the field is emptied after saving), sandbox mode and limits,
// schema-only mode, theme, max rows; and the sandbox status.

import { useEffect, useState } from 'preact/hooks';

import type { Backend, SandboxStatus, Settings } from '../backend/types';
import { toBackendError } from '../backend/types';
import { SANDBOX_MODES, THEMES, validateSettings } from '../lib/settings';
import type { SettingsErrors } from '../lib/settings';

function Field({ label, error, hint, children }: { label: string; error?: string; hint?: string; children: preact.ComponentChildren }) {
  return (
    <label class={`field${error ? ' invalid' : ''}`}>
      <span class="field-label">{label}</span>
      {children}
      {error ? <span class="field-error">{error}</span> : hint ? <span class="muted field-hint">{hint}</span> : null}
    </label>
  );
}

export function SettingsView({
  backend,
  settings,
  onSaved,
  sandbox,
  onRefreshSandbox,
  onNotice,
}: {
  backend: Backend;
  settings: Settings;
  onSaved: (s: Settings) => void;
  sandbox: SandboxStatus | null;
  onRefreshSandbox: () => void;
  onNotice: (text: string) => void;
}) {
  const [draft, setDraft] = useState<Settings>(settings);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [saving, setSaving] = useState(false);
  const [key, setKey] = useState('');
  const [keySet, setKeySet] = useState<boolean | null>(null);
  const [building, setBuilding] = useState<string[] | null>(null);
  useEffect(() => setDraft(settings), [settings]);
  useEffect(() => {
    let live = true;
    backend
      .keyStatus(settings.model_profile)
      .then((s) => live && setKeySet(s))
      .catch(() => live && setKeySet(false));
    return () => {
      live = false;
    };
  }, [backend, settings.model_profile]);

  const buildImage = async () => {
    if (!backend.sandboxBuildImage) return;
    setBuilding([]);
    try {
      const done = await backend.sandboxBuildImage((line) => setBuilding((lines) => [...(lines ?? []), line]));
      onNotice(done);
      onRefreshSandbox();
    } catch (e) {
      onNotice(toBackendError(e).message);
    } finally {
      setBuilding(null);
    }
  };

  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft({ ...draft, [k]: v });
  const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);
  const text = (e: Event) => (e.currentTarget as HTMLInputElement).value;

  const save = async (e: Event) => {
    e.preventDefault();
    const found = validateSettings(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      const stored = await backend.settingsSet(draft);
      onSaved(stored);
      onNotice('Settings saved.');
    } catch (err) {
      onNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };
  const saveKey = async () => {
    try {
      const now = await backend.keySet(settings.model_profile, key);
      setKeySet(now);
      onNotice(now ? 'Key saved in the system keychain.' : 'The key was not saved.');
    } catch (err) {
      onNotice(err instanceof Error ? err.message : String(err));
    } finally {
      setKey('');
    }
  };
  const clearKey = async () => {
    try {
      await backend.keyClear(settings.model_profile);
      setKeySet(await backend.keyStatus(settings.model_profile));
      onNotice('Key removed.');
    } catch (err) {
      onNotice(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div class="settings" data-testid="settings">
      <form class="panel" onSubmit={(e) => void save(e)} noValidate>
        <h2>Language model</h2>
        <Field label="Model profile" error={errors.model_profile} hint='"offline" uses the embedded planner: no network, no key.'>
          <input type="text" value={draft.model_profile} onInput={(e) => set('model_profile', text(e))} data-testid="settings-model-profile" />
        </Field>
        <Field label="Base URL" error={errors.base_url} hint="An OpenAI-compatible endpoint, e.g. http://localhost:11434/v1">
          <input type="url" value={draft.base_url} onInput={(e) => set('base_url', text(e))} data-testid="settings-base-url" />
        </Field>
        <label class="check">
          <input
            type="checkbox"
            checked={draft.schema_only}
            onChange={(e) => set('schema_only', (e.currentTarget as HTMLInputElement).checked)}
            data-testid="settings-schema-only"
          />
          Schema only: send table and column names to the model, never data values
        </label>

        <h2>Python sandbox</h2>
        <Field label="Mode" error={errors.sandbox_mode} hint="auto uses Docker when it is ready, otherwise asks before using the weaker restricted mode.">
          <select value={draft.sandbox_mode} onChange={(e) => set('sandbox_mode', text(e) as Settings['sandbox_mode'])} data-testid="settings-sandbox-mode">
            {SANDBOX_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
        <div class="field-row">
          <Field label="Timeout (seconds)" error={errors.sandbox_timeout_s}>
            <input type="number" min={1} max={600} value={draft.sandbox_timeout_s} onInput={(e) => set('sandbox_timeout_s', num(e))} data-testid="settings-sandbox-timeout" />
          </Field>
          <Field label="Memory" error={errors.sandbox_memory}>
            <input type="text" value={draft.sandbox_memory} onInput={(e) => set('sandbox_memory', text(e))} data-testid="settings-sandbox-memory" />
          </Field>
          <Field label="Warm containers" error={errors.sandbox_pool_size}>
            <input type="number" min={0} max={8} value={draft.sandbox_pool_size} onInput={(e) => set('sandbox_pool_size', num(e))} data-testid="settings-sandbox-pool" />
          </Field>
        </div>

        <h2>Display</h2>
        <div class="field-row">
          <Field label="Theme" error={errors.theme}>
            <select value={draft.theme} onChange={(e) => set('theme', text(e) as Settings['theme'])} data-testid="settings-theme">
              {THEMES.map((t) => (
                <option key={t} value={t}>
                  {t === 'system' ? 'follow the system' : t}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Rows shown per answer" error={errors.max_rows} hint="Analyses always use every row.">
            <input type="number" min={1} value={draft.max_rows} onInput={(e) => set('max_rows', num(e))} data-testid="settings-max-rows" />
          </Field>
        </div>
        <div class="row">
          <button type="submit" class="primary" disabled={saving} data-testid="settings-save">
            Save settings
          </button>
          <button type="button" onClick={() => { setDraft(settings); setErrors({}); }}>
            Discard changes
          </button>
        </div>
      </form>

      <section class="panel">
        <h2>API key</h2>
        <p class="muted">{backend.keyMessage}</p>
        <p data-testid="key-status" data-set={keySet ? 'true' : 'false'}>
          {keySet === null ? 'Checking…' : keySet ? `A key is set for "${settings.model_profile}".` : `No key is set for "${settings.model_profile}".`}
        </p>
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (key) void saveKey();
          }}
        >
          <input
            type="password"
            autoComplete="off"
            placeholder="Paste a key"
            value={key}
            onInput={(e) => setKey(text(e))}
            disabled={!backend.keysSupported}
            data-testid="key-input"
            aria-label="API key"
          />
          <button type="submit" disabled={!backend.keysSupported || !key} data-testid="key-set">
            Set
          </button>
          <button type="button" onClick={() => void clearKey()} disabled={!backend.keysSupported || !keySet} data-testid="key-clear">
            Clear
          </button>
        </form>
      </section>

      <section class="panel" data-testid="sandbox-status">
        <h2>Sandbox status</h2>
        {sandbox ? (
          <ul class="status">
            <li data-ok={sandbox.docker}>{sandbox.docker ? '✓' : '✕'} Docker engine {sandbox.docker ? 'found' : 'not found'}</li>
            <li data-ok={sandbox.image}>{sandbox.image ? '✓' : '✕'} Sandbox image {sandbox.image ? 'present' : 'missing'}</li>
            <li data-ok={sandbox.restricted}>
              {sandbox.restricted ? '✓' : '✕'} Restricted mode (weaker isolation) {sandbox.restricted ? 'available' : 'not available'}
            </li>
          </ul>
        ) : (
          <p class="muted">Checking…</p>
        )}
        {sandbox?.message && <p class="muted">{sandbox.message}</p>}
        {sandbox && sandbox.docker && !sandbox.image && (
          <p>
            Build the image once{backend.sandboxBuildImage ? ' here (needs internet), or' : ''} with{' '}
            <code>sightline sandbox image</code> (or <code>scripts/sandbox-image</code> offline).
          </p>
        )}
        {backend.sandboxBuildImage && sandbox && sandbox.docker && !sandbox.image && (
          <button type="button" class="primary" disabled={building !== null} onClick={() => void buildImage()} data-testid="sandbox-build">
            {building ? 'Building…' : 'Build the image'}
          </button>
        )}
        {building && building.length > 0 && (
          <pre class="build-log" data-testid="sandbox-build-log">{building.slice(-12).join('\n')}</pre>
        )}
        <button type="button" onClick={onRefreshSandbox}>
          Check again
        </button>
      </section>
    </div>
  );
}
