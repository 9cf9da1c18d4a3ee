// SECURITY.md S7: a Plotly figure from the engine, the sandbox or a model is untrusted. Before it
// reaches Plotly it is rebuilt from plain JSON values with:
// - no `config` and no `frames` (the app's own config is the only one ever used);
// - no links: `<a ...>`/`</a>` tags are removed from every string, and any `javascript:`,
//   `vbscript:` or `data:text` scheme is neutralised;
// - images only from `data:image/...` sources (layout.images, image traces, templates);
// - no map traces or map layouts that would fetch tiles from the network;
// - no `__proto__`/`constructor`/`prototype` keys.
// MathJax is never loaded, and the app config sets `typesetMath: false`.

import type { Figure } from '../backend/types';

const MAX_DEPTH = 64;
const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NETWORK_TRACES = new Set([
  'scattermapbox',
  'choroplethmapbox',
  'densitymapbox',
  'scattermap',
  'choroplethmap',
  'densitymap',
]);
const NETWORK_LAYOUT_KEYS = new Set(['mapbox', 'map']);
const SAFE_IMAGE = /^data:image\/(png|jpe?g|gif|webp|bmp);base64,[A-Za-z0-9+/=\s]*$/i;

/** Removes link tags and script-capable URL schemes from one string. */
export function cleanText(value: string): string {
  return value
    .replace(/<\s*a\b[^>]*>/gi, '')
    .replace(/<\s*\/\s*a\s*>/gi, '')
    .replace(/(java|vb)[\s\u0000-\u001f]*script[\s\u0000-\u001f]*:/gi, 'blocked:')
    .replace(/data[\s\u0000-\u001f]*:[\s\u0000-\u001f]*text\//gi, 'blocked:text/');
}

function isSafeImage(source: unknown): boolean {
  return typeof source === 'string' && SAFE_IMAGE.test(source);
}

function clean(value: unknown, depth: number, key: string): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (typeof value === 'string') return cleanText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) {
    let items = value;
    if (key === 'images') {
      items = value.filter((img) => img && typeof img === 'object' && isSafeImage((img as Record<string, unknown>).source));
    }
    return items.map((item) => {
      const c = clean(item, depth + 1, '');
      return c === undefined ? null : c;
    });
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (DANGEROUS_KEYS.has(k)) continue;
      if (k === 'source' && typeof v === 'string' && !isSafeImage(v)) continue;
      const c = clean(v, depth + 1, k);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return undefined; // functions, symbols, bigint: never part of a figure
}

/** A safe copy of `figure`, or null when it is not a figure at all. */
export function sanitizeFigure(figure: unknown): Figure | null {
  if (!figure || typeof figure !== 'object') return null;
  const f = figure as Record<string, unknown>;
  const data = Array.isArray(f.data) ? f.data : [];
  const traces = data
    .filter((t) => t && typeof t === 'object' && !Array.isArray(t))
    .filter((t) => !NETWORK_TRACES.has(String((t as Record<string, unknown>).type ?? '')))
    .map((t) => clean(t, 1, '') as Record<string, unknown>);
  const rawLayout = f.layout && typeof f.layout === 'object' && !Array.isArray(f.layout) ? f.layout : {};
  const layout = clean(rawLayout, 1, '') as Record<string, unknown>;
  for (const k of NETWORK_LAYOUT_KEYS) delete layout[k];
  return { data: traces, layout };
}
