// Numbers and durations the way a business reader expects them.

const big = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const small = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });

export function formatNumber(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value == null ? '—' : String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 100 ? big.format(value) : small.format(value);
}

export function formatP(p: unknown): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return 'p unknown';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPercent(value: unknown, signed = false): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const text = `${Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2)}%`;
  return signed && value > 0 ? `+${text}` : text;
}

/** The file name of a path or sqlite:/// URL, for titles. */
export function baseName(path: string): string {
  const clean = path.replace(/^sqlite:\/\//, '').replace(/[\\/]+$/, '');
  const parts = clean.split(/[\\/]/);
  return parts[parts.length - 1] || clean;
}
