// Connect: open a SQLite file (native dialog, drag-and-drop or a path), recent files, the
// sample database; then the schema browser with keys, row counts and sample values.

import { useState } from 'preact/hooks';

import type { Backend, Connections, Schema } from '../backend/types';
import type { TableInfo } from '../generated/contract';
import { baseName } from '../lib/format';
import { columnRole } from '../lib/roles';

export function ConnectPanel({
  backend,
  connections,
  current,
  busy,
  onOpen,
  onForget,
}: {
  backend: Backend;
  connections: Connections;
  current: string | null;
  busy: boolean;
  onOpen: (path: string) => void;
  onForget: (path: string) => void;
}) {
  const [path, setPath] = useState('');
  const pick = async () => {
    const picked = await backend.pickDatabase();
    if (picked) onOpen(picked);
  };
  return (
    <section class="panel connect" data-testid="connect">
      <h2>Open a database</h2>
      <div class="connect-actions">
        {backend.canPickFiles && (
          <button type="button" class="primary" onClick={() => void pick()} disabled={busy} data-testid="open-file">
            Open SQLite file…
          </button>
        )}
        {connections.sample && (
          <button type="button" onClick={() => onOpen(connections.sample as string)} disabled={busy} data-testid="open-sample">
            Open the sample database
          </button>
        )}
      </div>
      <form
        class="path-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) onOpen(path.trim());
        }}
      >
        <label for="db-path">{backend.canPickFiles ? 'Or type a path' : 'Path of a SQLite file on this computer'}</label>
        <div class="row">
          <input
            id="db-path"
            type="text"
            placeholder="/path/to/data.db"
            value={path}
            onInput={(e) => setPath((e.currentTarget as HTMLInputElement).value)}
            data-testid="db-path-input"
            spellcheck={false}
            autoComplete="off"
          />
          <button type="submit" disabled={busy || !path.trim()} data-testid="db-open">
            Open
          </button>
        </div>
      </form>
      {backend.canPickFiles && <p class="muted">You can also drop a .db file anywhere on this window.</p>}
      <h3>Recent</h3>
      {connections.recent.length === 0 ? (
        <p class="muted">Databases you open appear here.</p>
      ) : (
        <ul class="recent" data-testid="recent-list">
          {connections.recent.map((p) => (
            <li key={p} class={p === current ? 'current' : ''}>
              <button type="button" class="link" onClick={() => onOpen(p)} title={p} disabled={busy}>
                <strong>{baseName(p)}</strong> <span class="muted path">{p}</span>
              </button>
              <button type="button" class="icon" onClick={() => onForget(p)} title="Remove from the list" aria-label={`Forget ${p}`}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TableCard({ table, open, onToggle }: { table: TableInfo; open: boolean; onToggle: () => void }) {
  return (
    <li class="table-card" data-table={table.name}>
      <button type="button" class="table-head" onClick={onToggle} aria-expanded={open}>
        <span class="caret">{open ? '▾' : '▸'}</span>
        <strong>{table.name}</strong>
        {table.kind !== 'table' && <span class="badge">{table.kind}</span>}
        <span class="muted">
          {table.row_count.toLocaleString('en-US')} rows · {table.columns.length} columns
        </span>
      </button>
      {open && (
        <table class="columns">
          <thead>
            <tr>
              <th>Column</th>
              <th>Type</th>
              <th>Key</th>
              <th>Sample values</th>
            </tr>
          </thead>
          <tbody>
            {table.columns.map((c) => {
              const fk = table.foreign_keys.find((f) => f.column === c.name);
              return (
                <tr key={c.name}>
                  <td>
                    <code>{c.name}</code>
                    <span class={`role role-${columnRole(table, c)}`}>{columnRole(table, c)}</span>
                  </td>
                  <td class="muted">
                    {c.decl_type || 'any'}
                    {c.not_null ? ' · not null' : ''}
                  </td>
                  <td>
                    {c.primary_key && <span class="badge key">PK</span>}
                    {fk && (
                      <span class="badge fk" title={`references ${fk.references_table}.${fk.references_column}`}>
                        → {fk.references_table}.{fk.references_column}
                      </span>
                    )}
                  </td>
                  <td class="samples">
                    {c.sample_values.map((v, i) => (
                      <span key={i} class="sample">
                        {v === null ? 'null' : String(v)}
                      </span>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </li>
  );
}

export function SchemaBrowser({ schema }: { schema: Schema }) {
  const [open, setOpen] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(schema.tables.slice(0, schema.tables.length <= 3 ? 3 : 1).map((t) => [t.name, true])),
  );
  const [filter, setFilter] = useState('');
  const f = filter.trim().toLowerCase();
  const tables = schema.tables.filter(
    (t) => !f || t.name.toLowerCase().includes(f) || t.columns.some((c) => c.name.toLowerCase().includes(f)),
  );
  return (
    <section class="panel schema" data-testid="schema-browser">
      <div class="schema-head">
        <h2>Schema</h2>
        <span class="muted">
          {schema.tables.length} tables · {schema.tables.reduce((n, t) => n + t.row_count, 0).toLocaleString('en-US')} rows
        </span>
        <input
          type="search"
          placeholder="Filter tables and columns"
          value={filter}
          onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          aria-label="Filter tables and columns"
        />
      </div>
      <ul class="tables">
        {tables.map((t) => (
          <TableCard key={t.name} table={t} open={!!open[t.name] || !!f} onToggle={() => setOpen({ ...open, [t.name]: !open[t.name] })} />
        ))}
      </ul>
    </section>
  );
}
