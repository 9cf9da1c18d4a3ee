// Settings: the language model (views/ModelSettings.tsx: profiles, keys in the keychain, test,
// schema only, authors), sandbox mode and limits, theme, max rows; and the sandbox status. One
// draft, saved by "Save settings"; keys and tests act at once.

import { useEffect, useState } from 'preact/hooks';

import type { Backend, SandboxStatus, Settings } from '../backend/types';
import { toBackendError } from '../backend/types';
import { SANDBOX_MODES, THEMES, validateSettings } from '../lib/settings';
import type { SettingsErrors } from '../lib/settings';
import { ModelSettings } from './ModelSettings';
import { Field } from './Field';


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
  const [building, setBuilding] = useState<string[] | null>(null);
  useEffect(() => setDraft(settings), [settings]);

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

  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const changed = JSON.stringify(draft) !== JSON.stringify(settings);
  const num = (e: Event) => Number((e.currentTarget as HTMLInputElement).value);
  const text = (e: Event) => (e.currentTarget as HTMLInputElement).value;

  const save = async (e: Event) => {
    e.preventDefault();
    const found = validateSettings(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      onNotice(Object.values(found)[0] ?? 'Check the settings marked in red.');
      return;
    }
    setSaving(true);
    try {
      const stored = await backend.settingsSet(draft);
      onSaved(stored);
      onNotice('Settings saved.');
    } catch (err) {
      onNotice(toBackendError(err).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <div class="settings" data-testid="settings">
      <form class="panel" onSubmit={(e) => void save(e)} noValidate>
        <ModelSettings
          backend={backend}
          draft={draft}
          saved={settings}
          errors={errors}
          update={(change) => setDraft((d) => ({ ...d, ...change }))}
          onNotice={onNotice}
        />

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
          <button type="button" onClick={() => { setDraft(settings); setErrors({}); }} disabled={!changed}>
            Discard changes
          </button>
          {changed && <span class="muted" data-testid="settings-unsaved">Unsaved changes</span>}
        </div>
      </form>

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
