// One answer: who answered (the offline planner or a model) and what was sent to the model,
// what was understood (chips the user can change), analysis cards, and the chart, data, SQL and
// Python tabs, with exports. Every value and every model's word is rendered as text.

import { useEffect, useRef, useState } from 'preact/hooks';

import type { AnalysisType, Answer, Backend, SandboxStatus, SentToModel, Settings } from '../backend/types';
import { analysisCards, analysisSentence } from '../lib/analysis';
import { applyChip, findChips } from '../lib/chips';
import type { Chip } from '../lib/chips';
import { parseMethod } from '../lib/profiles';
import { numericColumns } from '../lib/python';
import type { Vocabulary } from '../lib/roles';
import { Chart, loadPlotly } from './Chart';
import type { ChartImageFormat } from './Chart';
import { ErrorState } from './ErrorState';
import { Grid } from './Grid';
import { PythonTab } from './Python';

export type Tab = 'chart' | 'data' | 'sql' | 'python';

const CHIP_LABEL: Record<Chip['kind'], string> = { measure: 'Measure', grouping: 'Grouping', time: 'Time range' };

/** The analysis a re-run of edited SQL uses: the answer's own, else a summary (see README). */
export function rerunAnalysis(answer: Answer): AnalysisType {
  return answer.analytics_type ?? 'summary';
}

/** Who wrote the SQL: the offline planner, the model of `llm:PROVIDER:MODEL`, or the user
 *  (`direct`: edited SQL run again). */
export function AnsweredBy({ answer }: { answer: Answer }) {
  const model = parseMethod(answer.method);
  const fellBack = !model && !!answer.sent_to_model;
  return (
    <span class="answered-by" data-testid="answer-method" data-method={answer.method} title={answer.method}>
      {model ? (
        <>
          SQL written by the model <strong>{model.model}</strong> ({model.provider})
        </>
      ) : answer.method === 'direct' ? (
        'Your SQL, run as written'
      ) : fellBack ? (
        'Answered by the offline planner (the model could not; see the warnings)'
      ) : (
        'Answered by the offline planner'
      )}
    </span>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** What was sent to the model for this answer (S7: listed per answer), as text. */
export function SentToModelView({ sent }: { sent: SentToModel }) {
  const samples = sent.sample_values === 0 ? 'none — schema only' : `${plural(sent.sample_values, 'value')} from your data`;
  return (
    <details class="sent-to-model" data-testid="sent-to-model">
      <summary>
        Sent to the model: {plural(sent.tables.length, 'table')}, {plural(sent.columns.length, 'column')},{' '}
        {sent.sample_values === 0 ? 'no data values' : plural(sent.sample_values, 'data value')}
      </summary>
      <dl class="facts">
        <dt>Profile</dt>
        <dd data-testid="sent-profile">
          {sent.profile} ({sent.method})
        </dd>
        <dt>Tables</dt>
        <dd data-testid="sent-tables">{sent.tables.length > 0 ? sent.tables.join(', ') : 'none'}</dd>
        <dt>Columns</dt>
        <dd data-testid="sent-columns" data-count={sent.columns.length}>
          {sent.columns.length}
          {sent.columns.length > 0 && (
            <ul class="sent-columns">
              {sent.columns.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Sample values</dt>
        <dd data-testid="sent-samples" data-count={sent.sample_values}>
          {samples}
        </dd>
        <dt>Glossary terms</dt>
        <dd data-testid="sent-glossary">{sent.glossary_terms}</dd>
        <dt>Previous question</dt>
        <dd data-testid="sent-previous">{sent.previous_question ? 'included, with its SQL (a follow-up)' : 'not included'}</dd>
        <dt>Requests</dt>
        <dd data-testid="sent-requests">
          {plural(sent.requests, 'call')} to the model{sent.parts.length > 0 ? `, for: ${sent.parts.join(', ')}` : ''}
        </dd>
      </dl>
    </details>
  );
}

function Chips({ question, vocab, answer, onAsk, disabled }: { question: string; vocab: Vocabulary; answer: Answer; onAsk: (q: string) => void; disabled: boolean }) {
  const measures = [...new Set([...numericColumns(answer), ...vocab.measures])];
  const chips = findChips(question, { measures, dimensions: vocab.dimensions });
  return (
    <div class="chips" data-testid="chips">
      {chips.map((chip) => (
        <label key={chip.kind} class={`chip chip-${chip.kind}`} data-testid={`chip-${chip.kind}`}>
          <span class="chip-label">{CHIP_LABEL[chip.kind]}</span>
          <select
            disabled={disabled}
            value={chip.text || ''}
            onChange={(e) => {
              const option = (e.currentTarget as HTMLSelectElement).value;
              if (option !== chip.text) onAsk(applyChip(question, chip, option));
            }}
          >
            <option value={chip.text || ''}>{chip.text || (chip.kind === 'time' ? 'all data' : '—')}</option>
            {chip.options
              .filter((o) => o.toLowerCase() !== chip.text.toLowerCase() && !(o === '' && chip.text === ''))
              .map((o) => (
                <option key={o} value={o}>
                  {o === '' ? 'all data' : o}
                </option>
              ))}
          </select>
        </label>
      ))}
    </div>
  );
}

export function AnswerView({
  answer,
  question,
  requestId,
  backend,
  settings,
  sandbox,
  theme,
  vocab,
  running,
  onAsk,
  onRerun,
  onNotice,
}: {
  answer: Answer;
  question: string;
  requestId: string;
  backend: Backend;
  settings: Settings;
  sandbox: SandboxStatus | null;
  theme: string;
  vocab: Vocabulary;
  running: boolean;
  onAsk: (q: string) => void;
  onRerun: (sql: string) => void;
  onNotice: (text: string) => void;
}) {
  const hasChart = !!answer.visualization && answer.visualization.data.length > 0;
  const [tab, setTab] = useState<Tab>(hasChart ? 'chart' : answer.data ? 'data' : 'sql');
  const [sql, setSql] = useState(answer.sql ?? '');
  const chartEl = useRef<HTMLElement | null>(null);

  useEffect(() => {
    setSql(answer.sql ?? '');
    setTab((t) => (answer.error && answer.sql ? 'sql' : t === 'chart' && !hasChart ? (answer.data ? 'data' : 'sql') : t));
  }, [answer]);

  // A question that failed before any SQL has nothing to show but the error.
  const bare = !!answer.error && !answer.data && !answer.sql;
  const cards = analysisCards(answer.analytics_type, answer.analysis_result);
  const sentence = analysisSentence(answer.analysis_result);
  const exportAs = async (format: 'csv' | 'html') => {
    try {
      const where = await backend.exportAnswer(requestId, answer, format);
      if (where) onNotice(`Saved ${where}`);
    } catch (e) {
      onNotice(e instanceof Error ? e.message : String(e));
    }
  };
  const saveChart = async (format: ChartImageFormat) => {
    const el = chartEl.current;
    if (!el) {
      onNotice('Open the Chart tab first.');
      return;
    }
    try {
      const Plotly = await loadPlotly();
      const image = { width: el.clientWidth || 1000, height: el.clientHeight || 500, imageDataOnly: true };
      const where =
        format === 'png'
          ? await backend.savePng(await Plotly.toImage(el, { format, ...image, scale: 2 }), 'sightline-chart.png')
          : await backend.saveSvg(await Plotly.toImage(el, { format, ...image }), 'sightline-chart.svg');
      if (where) onNotice(`Saved ${where}`);
    } catch (e) {
      onNotice(e instanceof Error ? e.message : String(e));
    }
  };
  const rerun = () => {
    if (sql.trim() && !running) onRerun(sql);
  };
  // Ctrl/Cmd+Enter re-runs the SQL from anywhere but the question box (where Enter asks).
  const rerunRef = useRef(rerun);
  rerunRef.current = rerun;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !(e.target as HTMLElement | null)?.closest?.('[data-testid="question-input"]')) {
        e.preventDefault();
        rerunRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (bare && answer.error) {
    return (
      <article class="answer" data-testid="answer" data-analytics-type="none" data-row-count={0}>
        <ErrorState kind={answer.error.kind} message={answer.error.message} stage={answer.error.stage} />
        {answer.sent_to_model && <SentToModelView sent={answer.sent_to_model} />}
      </article>
    );
  }

  return (
    <article
      class="answer"
      data-testid="answer"
      data-analytics-type={answer.analytics_type ?? 'none'}
      data-row-count={answer.data?.row_count ?? 0}
    >
      <header class="answer-head">
        <div class="answer-title">
          {answer.interpretation && (
            <p class="interpretation" data-testid="interpretation">
              {answer.interpretation}
            </p>
          )}
          <div class="meta muted">
            <span title="How sure the planner is of its reading">confidence {Math.round(answer.confidence * 100)}%</span>
            <AnsweredBy answer={answer} />
            {answer.data && (
              <span>
                {answer.data.row_count.toLocaleString('en-US')} rows{answer.data.truncated ? ` (showing ${answer.data.rows.length.toLocaleString('en-US')})` : ''}
              </span>
            )}
          </div>
          {question && <Chips question={question} vocab={vocab} answer={answer} onAsk={onAsk} disabled={running} />}
        </div>
        <div class="exports">
          <button type="button" onClick={() => void exportAs('csv')} disabled={!answer.data} data-testid="export-csv">
            CSV
          </button>
          <button type="button" onClick={() => void saveChart('png')} disabled={!hasChart} data-testid="export-png">
            Chart PNG
          </button>
          <button type="button" onClick={() => void saveChart('svg')} disabled={!hasChart} data-testid="export-svg">
            Chart SVG
          </button>
          <button type="button" onClick={() => void exportAs('html')} disabled={!answer.data} data-testid="export-html">
            HTML report
          </button>
        </div>
      </header>
      {answer.sent_to_model && <SentToModelView sent={answer.sent_to_model} />}
      {answer.warnings.length > 0 && (
        <ul class="warnings" data-testid="warnings">
          {answer.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {answer.error && <ErrorState kind={answer.error.kind} message={answer.error.message} stage={answer.error.stage} />}
      {cards.length > 0 && (
        <section class="cards" data-testid="analysis-cards">
          {cards.map((c, i) => (
            <div class={`card${c.value ? '' : ' wide'}`} key={i}>
              <div class="card-title">{c.title}</div>
              {c.value && <div class="card-value">{c.value}</div>}
              <div class="card-detail">{c.detail}</div>
            </div>
          ))}
        </section>
      )}
      {sentence && (
        <details class="analysis-text">
          <summary>What the analysis says</summary>
          <p data-testid="analysis-sentence">{sentence}</p>
        </details>
      )}
      <nav class="tabs" role="tablist">
        {(['chart', 'data', 'sql', 'python'] as Tab[]).map((t) => (
          <button
            type="button"
            role="tab"
            key={t}
            aria-selected={tab === t}
            class={tab === t ? 'active' : ''}
            onClick={() => setTab(t)}
            data-testid={`tab-${t}`}
          >
            {t === 'sql' ? 'SQL' : t === 'python' ? 'Python' : t[0].toUpperCase() + t.slice(1)}
          </button>
        ))}
      </nav>
      <div class="tab-body">
        {/* Keyed by request: a new answer gets a fresh chart node, never the last one's drawing. */}
        {tab === 'chart' && <Chart key={requestId} figure={answer.visualization} theme={theme} onReady={(el) => (chartEl.current = el)} onExport={(format) => void saveChart(format)} />}
        {tab === 'data' &&
          (answer.data ? (
            <Grid key={requestId} columns={answer.data.columns} rows={answer.data.rows} onNotice={onNotice} />
          ) : (
            <div class="empty">No data for this answer.</div>
          ))}
        {tab === 'sql' && (
          <div class="sql">
            <textarea
              class="code"
              value={sql}
              rows={Math.max(6, Math.min(20, sql.split('\n').length + 2))}
              spellcheck={false}
              aria-label="SQL"
              data-testid="sql-editor"
              onInput={(e) => setSql((e.currentTarget as HTMLTextAreaElement).value)}
            />
            <div class="row">
              <button type="button" class="primary" onClick={rerun} disabled={running || !sql.trim()} data-testid="rerun-button">
                Re-run <kbd>Ctrl+Enter</kbd>
              </button>
              <button type="button" onClick={() => setSql(answer.sql ?? '')} disabled={sql === (answer.sql ?? '')}>
                Revert
              </button>
              <button
                type="button"
                onClick={() => void navigator.clipboard.writeText(sql).then(() => onNotice('SQL copied.'), () => onNotice('Could not copy.'))}
                data-testid="copy-sql"
              >
                Copy SQL
              </button>
              <span class="muted">
                Runs read-only, then the {rerunAnalysis(answer)} analysis
                {answer.analytics_type ? '' : ' (this answer had none; a summary works on any result with a number column)'}.
              </span>
            </div>
          </div>
        )}
        {tab === 'python' && <PythonTab answer={answer} backend={backend} settings={settings} status={sandbox} theme={theme} />}
      </div>
    </article>
  );
}
