// Settings → Language model (desktop only): which profile answers (offline, a preset or the
// user's own), the user's profiles (add, edit, delete, checked like the engine checks them), the
// key of the chosen profile (set, clear, "is set": never read back), "Test connection", the
// Ollama hint, "schema only", and who writes the analysis and draws the chart. Everything a
// server or a model says is shown as text.

import { useEffect, useState } from 'preact/hooks';

import type { Backend, Check, LlmProfiles, ModelProfile, ProfileView, Provider, Settings } from '../backend/types';
import { BackendError, toBackendError } from '../backend/types';
import {
  findView,
  newProfile,
  OFFLINE,
  ENV_PROFILE,
  PRESET_NAMES,
  PROVIDER_LABEL,
  PROVIDERS,
  validateProfile,
  viewOf,
} from '../lib/profiles';
import type { SettingsErrors } from '../lib/settings';
import { Field } from './Field';

type Editing = { index: number | null; profile: ModelProfile };
type Tested = { profile: string; check: Check } | { profile: string; error: BackendError };

/** Enter in a text field inside the settings form does this instead of submitting the form
 *  (buttons and selects keep their own Enter). */
const onEnter = (action: () => void) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' && (e.target as HTMLElement | null)?.tagName === 'INPUT') {
    e.preventDefault();
    action();
  }
};
const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;


function sameTarget(a: ProfileView | null, b: ProfileView | null): boolean {
  return !!a && !!b && a.provider === b.provider && a.base_url === b.base_url && a.model === b.model;
}

export function ModelSettings({
  backend,
  draft,
  saved,
  errors,
  update,
  onNotice,
}: {
  backend: Backend;
  draft: Settings;
  saved: Settings;
  errors: SettingsErrors;
  update: (change: Partial<Settings>) => void;
  onNotice: (text: string) => void;
}) {
  const [listing, setListing] = useState<LlmProfiles | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    if (!backend.llmProfiles) return;
    let live = true;
    backend
      .llmProfiles()
      .then((l) => live && setListing(l))
      .catch((e: unknown) => live && setListError(toBackendError(e).message));
    return () => {
      live = false;
    };
  }, [backend]);

  if (!backend.llmProfiles) {
    return (
      <section data-testid="llm-settings">
        <h2>Language model</h2>
        <p class="muted" data-testid="llm-desktop-only">
          Here the offline planner answers every question (follow-ups included): nothing leaves this computer. Language-model profiles and
          their keys are set up in the desktop app, which keeps keys in the system keychain.
        </p>
      </section>
    );
  }

  const presets = listing?.presets ?? [];
  const active = draft.model_profile;
  const view = active === OFFLINE || active === ENV_PROFILE ? null : findView(active, draft.profiles, presets);
  const savedView = findView(active, saved.profiles, presets);
  // `llm_test` checks the profile as saved: a new or changed one must be saved first.
  const unsaved = !sameTarget(view, savedView);
  const presetChoices = PRESET_NAMES.filter((n) => !draft.profiles.some((p) => p.name.trim() === n));

  const test = async () => {
    if (!backend.llmTest) return;
    setTesting(true);
    setTested(null);
    try {
      setTested({ profile: active, check: await backend.llmTest(active) });
    } catch (e) {
      setTested({ profile: active, error: toBackendError(e) });
    } finally {
      setTesting(false);
    }
  };

  const startEditing = (index: number | null, profile?: ModelProfile) =>
    setEditing({ index, profile: profile ?? (index === null ? newProfile(draft.profiles) : { ...draft.profiles[index] }) });
  const others = editing ? draft.profiles.filter((_, i) => i !== editing.index) : [];
  const editErrors = editing ? validateProfile(editing.profile, others) : {};
  const finishEditing = () => {
    if (!editing || Object.keys(editErrors).length > 0) return;
    const profile: ModelProfile = {
      name: editing.profile.name.trim(),
      provider: editing.profile.provider,
      base_url: editing.profile.base_url.trim(),
      model: editing.profile.model.trim(),
    };
    const profiles = [...draft.profiles];
    let model_profile = draft.model_profile;
    if (editing.index === null) {
      profiles.push(profile);
      // A profile is added to be used.
      model_profile = profile.name;
    } else {
      if (model_profile === profiles[editing.index].name) model_profile = profile.name;
      profiles[editing.index] = profile;
    }
    update({ profiles, model_profile });
    setEditing(null);
  };
  const remove = (index: number) => {
    const name = draft.profiles[index].name;
    const profiles = draft.profiles.filter((_, i) => i !== index);
    if (draft.model_profile === name) {
      update({ profiles, model_profile: OFFLINE });
      onNotice(`"${name}" was the active profile: the offline planner answers until you choose another.`);
    } else {
      update({ profiles });
    }
    if (editing?.index === index) setEditing(null);
  };

  return (
    <section data-testid="llm-settings">
      <h2>Language model</h2>
      <Field
        label="Questions are answered by"
        error={errors.model_profile}
        hint="The offline planner needs no network and no key. A model profile sends the question and a description of your tables to that model, which writes the SQL; if it fails, the offline planner answers and the answer says so."
      >
        <select value={active} onChange={(e) => update({ model_profile: value(e) })} data-testid="settings-model-profile">
          <option value={OFFLINE}>Offline planner (no network, no key)</option>
          {active === ENV_PROFILE && <option value={ENV_PROFILE}>env (SIGHTLINE_LLM_* variables)</option>}
          <optgroup label="Presets">
            {presetChoices.map((name) => {
              const preset = presets.find((p) => p.name === name);
              return (
                <option key={name} value={name}>
                  {PROVIDER_LABEL[name as Provider]}
                  {preset?.model ? ` — ${preset.model}` : ''}
                </option>
              );
            })}
          </optgroup>
          {draft.profiles.length > 0 && (
            <optgroup label="Your profiles">
              {draft.profiles.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </Field>
      {listError && <p class="error-inline">{listError}</p>}

      {view && (
        <div class="profile-card" data-testid="active-profile" data-profile={view.name}>
          <dl class="facts">
            <dt>Provider</dt>
            <dd>{PROVIDER_LABEL[view.provider]}</dd>
            <dt>Base URL</dt>
            <dd>
              <code>{view.base_url || '—'}</code>
            </dd>
            <dt>Model</dt>
            <dd>
              <code>{view.model || '— (name one in the profile)'}</code>
            </dd>
          </dl>
          <KeyRow backend={backend} profile={view.name} needsKey={view.needs_key} onNotice={onNotice} />
          <div class="row">
            <button type="button" onClick={() => void test()} disabled={testing || unsaved || !backend.llmTest} data-testid="llm-test">
              {testing ? 'Testing…' : 'Test connection'}
            </button>
            {unsaved && <span class="muted">Save settings first to test this profile as it is now.</span>}
          </div>
          {tested && tested.profile === active && <TestResult tested={tested} />}
        </div>
      )}

      {listing?.ollama && (
        <p class="hint-box" data-testid="ollama-hint">
          Ollama is running on this computer
          {listing.ollama.length > 0 ? ` with ${listing.ollama.length} model${listing.ollama.length === 1 ? '' : 's'}: ${listing.ollama.join(', ')}.` : ', with no model pulled yet.'}{' '}
          {listing.ollama.length > 0 && (
            <button type="button" class="link" onClick={() => startEditing(null, { ...newProfile(draft.profiles, 'ollama'), model: listing.ollama?.[0] ?? '' })}>
              Add an Ollama profile
            </button>
          )}
        </p>
      )}

      <h3>Your profiles</h3>
      {errors.profiles && <p class="field-error">{errors.profiles}</p>}
      {draft.profiles.length === 0 && !editing && <p class="muted">None yet. A profile names a provider, its address and a model; empty fields take the provider's preset.</p>}
      <ul class="profiles" data-testid="profile-list">
        {draft.profiles.map((p, i) => {
          const shown = viewOf(p, presets, true);
          return (
            <li key={`${i}-${p.name}`} data-profile={p.name}>
              <div class="profile-line">
                <strong>{p.name}</strong>
                <span class="muted">
                  {PROVIDER_LABEL[p.provider]} · {shown.model || 'no model'} · {shown.base_url || 'no address'}
                </span>
              </div>
              <button type="button" onClick={() => startEditing(i)} disabled={!!editing} data-testid={`profile-edit-${p.name}`}>
                Edit
              </button>
              <button type="button" class="danger" onClick={() => remove(i)} data-testid={`profile-delete-${p.name}`}>
                Delete
              </button>
            </li>
          );
        })}
      </ul>
      {editing ? (
        <ProfileEditor
          editing={editing}
          errors={editErrors}
          presets={presets}
          onChange={(profile) => setEditing({ ...editing, profile })}
          onDone={finishEditing}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <button type="button" onClick={() => startEditing(null)} data-testid="profile-add">
          Add a profile
        </button>
      )}

      <h3>What the model is sent</h3>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.schema_only}
          onChange={(e) => update({ schema_only: (e.currentTarget as HTMLInputElement).checked })}
          data-testid="settings-schema-only"
        />
        Schema only
      </label>
      <p class="muted field-hint">
        {draft.schema_only
          ? 'On: the model gets table and column names, keys and your glossary terms, never a value from your data.'
          : 'Off: the model also gets up to 3 sample values per column, which helps it match names such as regions or statuses; those values leave this computer.'}{' '}
        Every answer lists what was sent.
      </p>
      <div class="field-row">
        <Field label="Analysis written by" error={errors.analysis_author}>
          <select value={draft.analysis_author} onChange={(e) => update({ analysis_author: value(e) as Settings['analysis_author'] })} data-testid="settings-analysis-author">
            <option value="native">Native (Sightline's statistics)</option>
            <option value="model">Model (Python run in the sandbox)</option>
          </select>
        </Field>
        <Field label="Chart drawn by" error={errors.chart_author}>
          <select value={draft.chart_author} onChange={(e) => update({ chart_author: value(e) as Settings['chart_author'] })} data-testid="settings-chart-author">
            <option value="native">Native (Sightline's chart)</option>
            <option value="model">Model (a checked design filled with the answer's data)</option>
          </select>
        </Field>
      </div>
      <p class="muted field-hint" data-testid="author-note">
        Model-written parts need a model profile. When the model cannot write one, or what it wrote fails its checks, the native analysis or chart is
        used instead, with a warning. Model-written Python runs in Docker only (never silently in the restricted mode), with the data as a file; the
        model designs charts by naming columns, and Sightline fills in the data; on an analysis it only restyles Sightline's chart (titles, colours,
        how the series is drawn), the forecast, anomalies and trend lines staying Sightline's.
      </p>
    </section>
  );
}

function ProfileEditor({
  editing,
  errors,
  presets,
  onChange,
  onDone,
  onCancel,
}: {
  editing: Editing;
  errors: ReturnType<typeof validateProfile>;
  presets: ProfileView[];
  onChange: (profile: ModelProfile) => void;
  onDone: () => void;
  onCancel: () => void;
}) {
  const p = editing.profile;
  const preset = presets.find((x) => x.provider === p.provider);
  const set = (change: Partial<ModelProfile>) => onChange({ ...p, ...change });
  const invalid = Object.keys(errors).length > 0;
  const noModel = !p.model.trim() && !preset?.model;
  return (
    <div class="profile-editor" data-testid="profile-editor" onKeyDown={onEnter(onDone)}>
      <h3>{editing.index === null ? 'New profile' : `Edit "${p.name}"`}</h3>
      <div class="field-row">
        <Field label="Name" error={errors.name} hint="Also names its key in the keychain.">
          <input type="text" value={p.name} onInput={(e) => set({ name: value(e) })} data-testid="profile-name" spellcheck={false} />
        </Field>
        <Field label="Provider">
          <select value={p.provider} onChange={(e) => set({ provider: value(e) as Provider })} data-testid="profile-provider">
            {PROVIDERS.map((provider) => (
              <option key={provider} value={provider}>
                {PROVIDER_LABEL[provider]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field
        label="Base URL"
        error={errors.base_url}
        hint={preset?.base_url ? `Empty: ${preset.base_url}` : 'An OpenAI-compatible endpoint, such as http://localhost:8080/v1.'}
      >
        <input
          type="url"
          value={p.base_url}
          placeholder={preset?.base_url || 'http://localhost:8080/v1'}
          onInput={(e) => set({ base_url: value(e) })}
          data-testid="profile-base-url"
          spellcheck={false}
        />
      </Field>
      <Field label="Model" hint={noModel ? 'This provider has no default model: name the one to use (calls fail without one).' : `Empty: ${preset?.model ?? ''}`}>
        <input type="text" value={p.model} placeholder={preset?.model || 'model name'} onInput={(e) => set({ model: value(e) })} data-testid="profile-model" spellcheck={false} />
      </Field>
      <div class="row">
        <button type="button" class="primary" onClick={onDone} disabled={invalid} data-testid="profile-done">
          Done
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <span class="muted">Then save the settings. Keys are set per profile name, below the profile picker.</span>
      </div>
    </div>
  );
}

function KeyRow({ backend, profile, needsKey, onNotice }: { backend: Backend; profile: string; needsKey: boolean; onNotice: (text: string) => void }) {
  const [key, setKey] = useState('');
  const [isSet, setIsSet] = useState<boolean | null>(null);
  useEffect(() => {
    let live = true;
    setIsSet(null);
    backend
      .keyStatus(profile)
      .then((s) => live && setIsSet(s))
      .catch(() => live && setIsSet(false));
    return () => {
      live = false;
    };
  }, [backend, profile]);

  const save = async () => {
    if (!key) return;
    try {
      const now = await backend.keySet(profile, key);
      setIsSet(now);
      onNotice(now ? 'Key saved in the system keychain.' : 'The key was not saved.');
    } catch (err) {
      onNotice(toBackendError(err).message);
    } finally {
      setKey('');
    }
  };
  const clear = async () => {
    try {
      await backend.keyClear(profile);
      setIsSet(await backend.keyStatus(profile));
      onNotice('Key removed.');
    } catch (err) {
      onNotice(toBackendError(err).message);
    }
  };

  const status =
    isSet === null
      ? 'Checking the keychain…'
      : isSet
        ? `A key is set for "${profile}".`
        : `No key is set for "${profile}"${needsKey ? ': this provider needs one.' : ' (this provider works without one).'}`;
  return (
    <div class="key-row">
      <p data-testid="key-status" data-set={isSet ? 'true' : 'false'} data-profile={profile}>
        {status}
      </p>
      <div class="row">
        <input
          type="password"
          autoComplete="off"
          placeholder={isSet ? 'Paste a new key to replace it' : 'Paste a key'}
          value={key}
          onInput={(e) => setKey(value(e))}
          onKeyDown={onEnter(() => void save())}
          disabled={!backend.keysSupported}
          data-testid="key-input"
          aria-label={`API key for ${profile}`}
        />
        <button type="button" onClick={() => void save()} disabled={!backend.keysSupported || !key} data-testid="key-set">
          Set key
        </button>
        <button type="button" onClick={() => void clear()} disabled={!backend.keysSupported || !isSet} data-testid="key-clear">
          Clear
        </button>
      </div>
      <p class="muted field-hint">{backend.keyMessage}</p>
    </div>
  );
}

function TestResult({ tested }: { tested: Tested }) {
  if ('error' in tested) {
    return (
      <div class="test-result failed" role="alert" data-testid="llm-test-result" data-ok="false" data-kind={tested.error.kind}>
        <strong>✕ No answer.</strong> <span>{tested.error.message}</span>
      </div>
    );
  }
  const { check } = tested;
  const models = check.models;
  return (
    <div class="test-result ok" data-testid="llm-test-result" data-ok="true">
      <strong>✓ {check.method}</strong> answered at <code>{check.base_url}</code> in {Math.round(check.chat_ms).toLocaleString('en-US')} ms
      {check.reply ? ` (it said “${check.reply}”)` : ''}.
      <div class="muted">
        {models.length === 0
          ? 'The server does not list its models.'
          : `${models.length} model${models.length === 1 ? '' : 's'} listed: ${models.slice(0, 12).join(', ')}${models.length > 12 ? ', …' : ''}`}
      </div>
    </div>
  );
}
