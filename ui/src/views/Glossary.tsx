// Glossary editor: business terms in the format of sample-data/glossary.json. Every edit is kept
// as a draft in this window's storage per database (a crash loses nothing). The desktop app can
// also keep the glossary in its own folder ("Use for this database"), which questions on that
// database then use; it never writes beside the database. In the browser the glossary can be
// downloaded as glossary.json to put beside the database, where the engine reads it.

import { useEffect, useState } from 'preact/hooks';

import type { Backend } from '../backend/types';
import { toBackendError } from '../backend/types';
import { downloadBlob } from '../lib/download';

export interface Term {
  term: string;
  synonyms: string[];
  table: string;
  expression: string;
  aggregation: string;
  filter: string | null;
  label: string;
  unit: string;
  description: string;
  date_column: string | null;
}

const AGGREGATIONS = ['sum', 'avg', 'count', 'min', 'max', 'median', 'count_distinct'];
const blank = (): Term => ({
  term: '',
  synonyms: [],
  table: '',
  expression: '',
  aggregation: 'sum',
  filter: null,
  label: '',
  unit: '',
  description: '',
  date_column: null,
});

/** The parts of a glossary this table does not edit (`columns`' business labels, ...), kept as
 *  they are so saving never drops them. */
type Rest = Record<string, unknown>;

function rest(text: string): Rest {
  const raw = JSON.parse(text) as unknown;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const { terms: _terms, ...others } = raw as Record<string, unknown>;
  return others;
}

function parse(text: string): Term[] {
  const raw = JSON.parse(text) as unknown;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? (raw as { terms?: unknown }).terms : null;
  if (!Array.isArray(list)) throw new Error('Expected {"terms": [...]}.');
  return list.map((t) => ({ ...blank(), ...(t as Partial<Term>) }));
}

const storageKey = (database: string | null) => `sightline.glossary.${database ?? 'none'}`;

export function GlossaryView({
  backend,
  database,
  onNotice,
}: {
  backend: Backend;
  database: string | null;
  onNotice: (t: string) => void;
}) {
  const [terms, setTerms] = useState<Term[]>([]);
  const [others, setOthers] = useState<Rest>({});
  const [json, setJson] = useState('');
  const [mode, setMode] = useState<'table' | 'json'>('table');
  const [jsonError, setJsonError] = useState<string | null>(null);

  const [source, setSource] = useState<'app' | 'beside' | 'draft' | null>(null);

  useEffect(() => {
    let live = true;
    const draft = localStorage.getItem(storageKey(database));
    const fromDraft = () => {
      try {
        setTerms(parse(draft ?? '{"terms": []}'));
        setOthers(rest(draft ?? '{}'));
        setSource(draft ? 'draft' : null);
      } catch {
        setTerms([]);
      }
    };
    if (draft || !database || !backend.glossaryGet) {
      fromDraft();
    } else {
      backend
        .glossaryGet(database)
        .then((kept) => {
          if (!live) return;
          if (kept.text) {
            setTerms(parse(kept.text));
            setOthers(rest(kept.text));
            setSource(kept.source);
          } else {
            fromDraft();
          }
        })
        .catch(() => live && fromDraft());
    }
    return () => {
      live = false;
    };
  }, [backend, database]);

  const keep = async () => {
    if (!database || !backend.glossarySet) return;
    try {
      await backend.glossarySet(database, asJson());
      localStorage.removeItem(storageKey(database));
      setSource('app');
      onNotice('Glossary kept; questions on this database now use it.');
    } catch (e) {
      onNotice(toBackendError(e).message);
    }
  };

  const save = (next: Term[], kept: Rest = others) => {
    setTerms(next);
    localStorage.setItem(storageKey(database), JSON.stringify({ ...kept, terms: next }));
    setSource('draft');
  };
  const update = (i: number, patch: Partial<Term>) => save(terms.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  const asJson = () => JSON.stringify({ ...others, terms }, null, 2);

  return (
    <section class="panel glossary" data-testid="glossary">
      <h2>Glossary</h2>
      <p class="muted">
        Business words and what they mean in this database.{' '}
        {backend.glossarySet
          ? 'Edits are kept as a draft until you choose "Use for this database"; Sightline keeps it in its own folder, never beside your database.'
          : 'Sightline reads glossary.json beside the database file. This draft is kept in this window; download it and put it beside the database to use it.'}
        {source === 'app' && ' In use: the glossary Sightline keeps for this database.'}
        {source === 'beside' && ' In use: glossary.json beside the database.'}
        {source === 'draft' && ' Showing your unsaved draft.'}
      </p>
      <div class="row">
        <button type="button" onClick={() => save([...terms, blank()])} data-testid="glossary-add">
          Add term
        </button>
        {backend.glossarySet && database && (
          <button type="button" class="primary" onClick={() => void keep()} data-testid="glossary-keep">
            Use for this database
          </button>
        )}
        <button
          type="button"
          onClick={() => {
            if (mode === 'table') {
              setJson(asJson());
              setMode('json');
            } else {
              try {
                setOthers(rest(json));
                save(parse(json), rest(json));
                setJsonError(null);
                setMode('table');
              } catch (e) {
                setJsonError(e instanceof Error ? e.message : String(e));
              }
            }
          }}
        >
          {mode === 'table' ? 'Edit as JSON' : 'Apply JSON'}
        </button>
        <button type="button" onClick={() => downloadBlob(new Blob([asJson()], { type: 'application/json' }), 'glossary.json')}>
          Download glossary.json
        </button>
        <button
          type="button"
          onClick={() => void navigator.clipboard.writeText(asJson()).then(() => onNotice('Glossary copied as JSON.'))}
        >
          Copy JSON
        </button>
      </div>
      {mode === 'json' ? (
        <>
          <textarea class="code" rows={18} value={json} onInput={(e) => setJson((e.currentTarget as HTMLTextAreaElement).value)} spellcheck={false} />
          {jsonError && <p class="field-error">{jsonError}</p>}
        </>
      ) : terms.length === 0 ? (
        <p class="empty">No terms yet. Add one, or paste a glossary with "Edit as JSON".</p>
      ) : (
        <table class="glossary-table">
          <thead>
            <tr>
              <th>Term</th>
              <th>Synonyms</th>
              <th>Table</th>
              <th>Expression</th>
              <th>Aggregation</th>
              <th>Filter</th>
              <th>Description</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {terms.map((t, i) => (
              <tr key={i}>
                <td><input value={t.term} onInput={(e) => update(i, { term: (e.currentTarget as HTMLInputElement).value })} aria-label="Term" /></td>
                <td>
                  <input
                    value={t.synonyms.join(', ')}
                    onInput={(e) => update(i, { synonyms: (e.currentTarget as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })}
                    aria-label="Synonyms"
                  />
                </td>
                <td><input value={t.table} onInput={(e) => update(i, { table: (e.currentTarget as HTMLInputElement).value })} aria-label="Table" /></td>
                <td><input value={t.expression} onInput={(e) => update(i, { expression: (e.currentTarget as HTMLInputElement).value })} aria-label="Expression" /></td>
                <td>
                  <select value={t.aggregation} onChange={(e) => update(i, { aggregation: (e.currentTarget as HTMLSelectElement).value })} aria-label="Aggregation">
                    {AGGREGATIONS.map((a) => <option key={a} value={a}>{a}</option>)}
                  </select>
                </td>
                <td><input value={t.filter ?? ''} onInput={(e) => update(i, { filter: (e.currentTarget as HTMLInputElement).value || null })} aria-label="Filter" /></td>
                <td><input value={t.description} onInput={(e) => update(i, { description: (e.currentTarget as HTMLInputElement).value })} aria-label="Description" /></td>
                <td><button type="button" class="icon" onClick={() => save(terms.filter((_, j) => j !== i))} aria-label="Remove term">×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
