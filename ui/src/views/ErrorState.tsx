// Error states: the engine's message as text, and what to do next chosen by `kind` (never by
// the wording of the message).

import type { ErrorKind } from '../backend/types';

const ADVICE: Record<ErrorKind, { title: string; next: string }> = {
  bad_input: { title: 'Check the input', next: 'Fix what the message names and try again.' },
  not_understood: {
    title: 'Sightline could not read this question',
    next: 'Name a measure (such as revenue or amount) and, if you like, a grouping ("by region") and a time range ("last year"). The suggestions below are questions this database can answer.',
  },
  sql_rejected: { title: 'The SQL was refused', next: 'Only a single read-only SELECT can run. Edit it in the SQL tab and re-run.' },
  database: { title: 'The database could not be read', next: 'Check that the file is a SQLite database and is not locked, then open it again.' },
  llm_unavailable: {
    title: 'The language model is not available',
    next: 'Check the profile, its base URL and its key in Settings → Language model ("Test connection" says what answers), or switch to the offline planner.',
  },
  llm_failed: {
    title: 'The language model gave no usable reply',
    next: 'Ask again, try another model in Settings → Language model, or switch to the offline planner.',
  },
  sandbox_unavailable: {
    title: 'The Python sandbox is not available',
    next: 'See the sandbox status in Settings. Native analyses need no sandbox and still work.',
  },
  keychain_unavailable: {
    title: 'The system keychain cannot be used',
    next: 'Unlock or start your keychain (on Linux, GNOME Keyring or KWallet), then set the key again. Sightline never keeps keys anywhere else.',
  },
  timeout: { title: 'This took too long', next: 'Narrow the question (a shorter time range, fewer groups) and ask again.' },
  cancelled: { title: 'Cancelled', next: 'Ask again when you are ready.' },
  internal: { title: 'Something went wrong inside Sightline', next: 'Try again; if it keeps happening, report the message below.' },
};

export function ErrorState({ kind, message, stage }: { kind: ErrorKind; message: string; stage?: string | null }) {
  const advice = ADVICE[kind] ?? ADVICE.internal;
  return (
    <div class={`error-state kind-${kind}`} role="alert" data-testid="error-state" data-kind={kind}>
      <h3>{advice.title}</h3>
      <p class="error-message" data-testid="error-message">
        {message}
      </p>
      <p class="muted">
        {advice.next}
        {stage ? ` (stage: ${stage})` : ''}
      </p>
    </div>
  );
}
