// The data grid: only the visible rows are in the DOM (fixed row height), so 100k rows scroll
// smoothly. Header click sorts (ascending, descending, off); click / shift-click selects rows;
// Ctrl/Cmd+C copies the selection as TSV, Ctrl/Cmd+A selects all. Values are text nodes.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { Cell } from '../lib/csv';
import { toTsv } from '../lib/csv';
import { nextSort, sortedIndex } from '../lib/sort';
import type { SortState } from '../lib/sort';

const ROW_HEIGHT = 28;
const OVERSCAN = 12;

function display(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(+v.toFixed(6));
  return v;
}

function widths(columns: string[], rows: Cell[][]): number[] {
  return columns.map((c, i) => {
    let longest = c.length + 2;
    for (const row of rows.slice(0, 200)) longest = Math.max(longest, display(row[i]).length);
    return Math.max(72, Math.min(320, longest * 8 + 20));
  });
}

async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function Grid({ columns, rows, onNotice }: { columns: string[]; rows: Cell[][]; onNotice: (text: string) => void }) {
  const [sort, setSort] = useState<SortState | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  const [selection, setSelection] = useState<{ anchor: number; focus: number } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  const order = useMemo(() => sortedIndex(rows, sort), [rows, sort]);
  const colWidths = useMemo(() => widths(columns, rows), [columns, rows]);
  const template = `56px ${colWidths.map((w) => `${w}px`).join(' ')}`;
  const totalWidth = 56 + colWidths.reduce((a, b) => a + b, 0);

  useEffect(() => {
    setSelection(null);
    setSort(null);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [rows]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(order.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const lo = selection ? Math.min(selection.anchor, selection.focus) : -1;
  const hi = selection ? Math.max(selection.anchor, selection.focus) : -2;

  const selectedRows = (): Cell[][] => {
    if (!selection) return [];
    return order.slice(lo, hi + 1).map((i) => rows[i]);
  };
  const copySelection = async () => {
    const chosen = selectedRows();
    if (chosen.length === 0) {
      onNotice('Select rows first (click, shift-click), or use Copy all.');
      return;
    }
    await copyText(toTsv(columns, chosen));
    onNotice(`Copied ${chosen.length} row${chosen.length === 1 ? '' : 's'}.`);
  };
  const copyAll = async () => {
    await copyText(toTsv(columns, order.map((i) => rows[i])));
    onNotice(`Copied all ${rows.length} rows.`);
  };

  const onKey = (e: KeyboardEvent) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'c') {
      e.preventDefault();
      void copySelection();
    } else if (mod && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      setSelection({ anchor: 0, focus: order.length - 1 });
    }
  };

  const visible = [];
  for (let pos = first; pos < last; pos++) {
    const rowIndex = order[pos];
    const row = rows[rowIndex];
    visible.push(
      <div
        key={pos}
        class={`grid-row${pos >= lo && pos <= hi ? ' selected' : ''}`}
        role="row"
        aria-rowindex={pos + 2}
        style={{ top: `${ROW_HEIGHT * (pos + 1)}px`, gridTemplateColumns: template, width: `${totalWidth}px` }}
        onMouseDown={(e) => {
          if (e.shiftKey && selection) setSelection({ anchor: selection.anchor, focus: pos });
          else setSelection({ anchor: pos, focus: pos });
        }}
      >
        <div class="cell rownum">{rowIndex + 1}</div>
        {row.map((v, c) => (
          <div key={c} class={`cell${typeof v === 'number' ? ' num' : ''}${v === null ? ' null' : ''}`} role="gridcell" data-col={c}>
            {v === null ? 'null' : display(v)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div class="grid-box">
      <div class="grid-tools">
        <span data-testid="grid-count">
          {rows.length.toLocaleString('en-US')} row{rows.length === 1 ? '' : 's'}
          {selection ? ` · ${hi - lo + 1} selected` : ''}
        </span>
        <button type="button" onClick={() => void copySelection()} data-testid="copy-selection">
          Copy selection
        </button>
        <button type="button" onClick={() => void copyAll()} data-testid="copy-all">
          Copy all
        </button>
      </div>
      <div
        class="grid"
        role="grid"
        aria-rowcount={rows.length + 1}
        tabIndex={0}
        ref={scroller}
        data-testid="grid"
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={onKey}
      >
        <div class="grid-inner" style={{ height: `${ROW_HEIGHT * (order.length + 1)}px`, width: `${totalWidth}px` }}>
          <div class="grid-row header" role="row" style={{ gridTemplateColumns: template, width: `${totalWidth}px` }}>
            <div class="cell rownum">#</div>
            {columns.map((c, i) => (
              <button
                type="button"
                key={c + i}
                class="cell head"
                role="columnheader"
                data-testid={`grid-header-${i}`}
                aria-sort={sort?.column === i ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                title="Sort"
                onClick={() => setSort(nextSort(sort, i))}
              >
                {c}
                <span class="sort-mark">{sort?.column === i ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
              </button>
            ))}
          </div>
          {visible}
        </div>
      </div>
    </div>
  );
}
