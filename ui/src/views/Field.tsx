// One labelled form field with its error or hint, shared by the settings views.

import type { ComponentChildren } from 'preact';

export function Field({ label, error, hint, children }: { label: string; error?: string; hint?: ComponentChildren; children: ComponentChildren }) {
  return (
    <label class={`field${error ? ' invalid' : ''}`}>
      <span class="field-label">{label}</span>
      {children}
      {error ? <span class="field-error">{error}</span> : hint ? <span class="muted field-hint">{hint}</span> : null}
    </label>
  );
}
