// The analysis as pandas code, editable, run in the sandbox (Docker, or the restricted mode
// with the user's consent, SECURITY.md S3). Results and output are shown as text.

import { useEffect, useMemo, useState } from 'preact/hooks';

import type { Answer, Backend, SandboxResult, SandboxStatus, Settings } from '../backend/types';
import { toCsv } from '../lib/csv';
import { codeFor } from '../lib/python';
import { Chart } from './Chart';

const CONSENT_KEY = 'sightline.restrictedConsent';

/** Why the Run button is disabled, or null when the sandbox can run code. */
export function sandboxBlocker(status: SandboxStatus | null, settings: Settings): string | null {
  if (settings.sandbox_mode === 'off') return 'The sandbox is turned off in Settings.';
  if (!status) return 'Checking the sandbox…';
  const docker = status.docker && status.image;
  if (settings.sandbox_mode === 'docker' && !docker) return status.message || 'Docker or the sandbox image is not available.';
  if (settings.sandbox_mode === 'restricted' && !status.restricted) return status.message || 'The restricted mode is not available here.';
  if (!docker && !status.restricted) return status.message || 'No sandbox is available on this computer.';
  return null;
}

export function PythonTab({
  answer,
  backend,
  settings,
  status,
  theme,
}: {
  answer: Answer;
  backend: Backend;
  settings: Settings;
  status: SandboxStatus | null;
  theme: string;
}) {
  const [code, setCode] = useState(() => codeFor(answer));
  const [result, setResult] = useState<SandboxResult | null>(null);
  const [running, setRunning] = useState(false);
  const [consent, setConsent] = useState(() => localStorage.getItem(CONSENT_KEY) === 'yes');
  useEffect(() => {
    setCode(codeFor(answer));
    setResult(null);
  }, [answer]);

  // `sightline serve` takes bodies up to 1 MiB; say so before the request fails.
  const csv = useMemo(() => (answer.data ? toCsv(answer.data.columns, answer.data.rows, false) : null), [answer]);
  const csvBytes = csv?.length ?? 0;
  const tooBig = backend.kind === 'http' && csvBytes > 1_000_000;
  const blocker =
    sandboxBlocker(status, settings) ??
    (tooBig ? `This answer's data is ${(csvBytes / 1e6).toFixed(1)} MB; the local HTTP API takes up to 1 MiB. Ask for fewer rows here, or use the desktop app.` : null);
  const weaker = !!status && !(status.docker && status.image) && settings.sandbox_mode !== 'docker';
  const needsConsent = !blocker && weaker && !consent;

  const run = async () => {
    setRunning(true);
    try {
      const data: Record<string, string> = csv !== null ? { df: csv } : {};
      setResult(
        await backend.sandboxRun({
          code,
          data,
          mode: settings.sandbox_mode === 'off' ? 'auto' : settings.sandbox_mode,
          timeout: settings.sandbox_timeout_s,
          memory: settings.sandbox_memory,
        }),
      );
    } catch (e) {
      setResult({
        success: false,
        result: null,
        output: '',
        error: e instanceof Error ? e.message : String(e),
        visualization: null,
        mode_used: null,
        duration_ms: 0,
      });
    } finally {
      setRunning(false);
    }
  };

  return (
    <div class="python" data-testid="python-tab">
      <p class="muted">
        The data of this answer is the DataFrame <code>df</code>. Edit the code and run it in the sandbox: it has no
        network and sees only this data.
      </p>
      <textarea
        class="code"
        value={code}
        onInput={(e) => setCode((e.currentTarget as HTMLTextAreaElement).value)}
        spellcheck={false}
        rows={Math.min(30, code.split('\n').length + 1)}
        data-testid="python-editor"
        aria-label="Python code"
      />
      <div class="row">
        <button
          type="button"
          class="primary"
          disabled={!!blocker || needsConsent || running}
          onClick={() => void run()}
          data-testid="python-run"
        >
          {running ? 'Running…' : 'Run in sandbox'}
        </button>
        <button type="button" onClick={() => setCode(codeFor(answer))} disabled={running}>
          Reset code
        </button>
        {blocker && (
          <span class="muted" data-testid="python-blocked">
            {blocker}
          </span>
        )}
      </div>
      {needsConsent && (
        <label class="consent">
          <input
            type="checkbox"
            onChange={(e) => {
              const yes = (e.currentTarget as HTMLInputElement).checked;
              setConsent(yes);
              localStorage.setItem(CONSENT_KEY, yes ? 'yes' : 'no');
            }}
          />
          Docker is not available. Run in the restricted mode, a weaker isolation (no network, read-only system,
          limits, but no container)?
        </label>
      )}
      {result && (
        <div class={`sandbox-result ${result.success ? 'ok' : 'failed'}`} data-testid="python-result">
          <div class="muted">
            {result.success ? 'Finished' : 'Failed'}
            {result.mode_used ? ` in ${result.mode_used} mode` : ''} · {Math.round(result.duration_ms)} ms
          </div>
          {result.error && <pre class="error-message">{result.error}</pre>}
          {result.result !== null && result.result !== undefined && (
            <pre class="json">{JSON.stringify(result.result, null, 2)}</pre>
          )}
          {result.output && <pre class="output">{result.output}</pre>}
          {result.visualization && <Chart figure={result.visualization} theme={theme} />}
        </div>
      )}
    </div>
  );
}
