// Live progress: each pipeline stage with its status and time. The desktop app streams events
// through a Channel; over HTTP the stages arrive with the answer, and a timer shows the wait.

import { useEffect, useState } from 'preact/hooks';

import { formatMs } from '../lib/format';

export interface StageRow {
  name: string;
  status: 'running' | 'ok' | 'skipped' | 'failed';
  ms: number | null;
  detail: string | null;
  startedAt?: number;
}

const LABELS: Record<string, string> = {
  intent: 'Understanding the question',
  plan: 'Planning the SQL',
  validate: 'Checking the SQL',
  execute: 'Running the query',
  analyze: 'Analysing',
  chart: 'Drawing the chart',
  interpret: 'Explaining',
};

const ICON: Record<StageRow['status'], string> = { running: '◌', ok: '✓', skipped: '–', failed: '✕' };

function useNow(active: boolean): number {
  const [now, setNow] = useState(performance.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

export function Stages({
  rows,
  running,
  startedAt,
  onCancel,
  streaming,
}: {
  rows: StageRow[];
  running: boolean;
  startedAt: number;
  onCancel: () => void;
  streaming: boolean;
}) {
  const now = useNow(running);
  const total = rows.reduce((sum, r) => sum + (r.ms ?? 0), 0);
  return (
    <div class="stages" data-testid="stage-list" aria-live="polite" data-running={running ? 'true' : 'false'}>
      <ol>
        {rows.map((r) => (
          <li key={r.name} class={`stage ${r.status}`} data-stage={r.name} data-status={r.status}>
            <span class="stage-icon" aria-hidden="true">
              {ICON[r.status]}
            </span>
            <span class="stage-name">{LABELS[r.name] ?? r.name}</span>
            {r.detail && <span class="stage-detail">{r.detail}</span>}
            <span class="stage-ms">
              {r.status === 'running' && r.startedAt ? formatMs(now - r.startedAt) : r.ms !== null ? formatMs(r.ms) : ''}
            </span>
          </li>
        ))}
        {running && !streaming && (
          <li class="stage running" data-stage="waiting">
            <span class="stage-icon" aria-hidden="true">
              ◌
            </span>
            <span class="stage-name">Working on the answer</span>
            <span class="stage-ms">{formatMs(now - startedAt)}</span>
          </li>
        )}
      </ol>
      <div class="stages-foot">
        {running ? (
          <button type="button" class="danger" onClick={onCancel} data-testid="cancel-button" title="Cancel (Esc)">
            Cancel <kbd>Esc</kbd>
          </button>
        ) : (
          rows.length > 0 && <span class="muted">Total {formatMs(total)}</span>
        )}
      </div>
    </div>
  );
}
