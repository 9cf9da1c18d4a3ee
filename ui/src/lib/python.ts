// The answer's analysis as editable pandas code. The SQL result arrives in the sandbox as the
// DataFrame `df` (the rows shown in the answer); the code returns `result` and may set `fig`.
// It is a readable starting point, not a replica of the engine's native analysis: the comments
// say which simpler method it uses. Names from the data enter the code only as JSON string
// literals (valid Python), and the SQL only as comment lines.

import type { Answer } from '../backend/types';

const py = (s: string) => JSON.stringify(s);

type R = Record<string, unknown>;

/** Columns whose shown values are all numbers (nulls aside). */
export function numericColumns(answer: Answer): string[] {
  const data = answer.data;
  if (!data) return [];
  return data.columns.filter((_, c) => {
    let seen = false;
    for (const row of data.rows.slice(0, 200)) {
      const v = row[c];
      if (v === null) continue;
      if (typeof v !== 'number') return false;
      seen = true;
    }
    return seen;
  });
}

function header(answer: Answer): string[] {
  const rows = answer.data?.rows.length ?? 0;
  const sql = (answer.sql ?? '(no SQL)').split(/\r?\n/).map((l) => `#   ${l}`);
  return [
    `# df: the answer's data (${rows} row${rows === 1 ? '' : 's'}${answer.data?.truncated ? ', as shown, not the full result' : ''}), from:`,
    ...sql,
    '# Assign `result` (shown as JSON) and optionally `fig` (a Plotly figure).',
    'import numpy as np',
    'import pandas as pd',
    'import plotly.graph_objects as go',
    'from scipy import stats',
    '',
  ];
}

/**
 * The code the Python tab starts with: the model's own code when the model wrote the analysis
 * (it reads the data as `data`, so that name is bound to the tab's `df`), else `pythonFor`.
 */
export function codeFor(answer: Answer): string {
  if (!answer.analysis_code) return pythonFor(answer);
  return [
    "# Written by the model for this answer and run in the sandbox; it reads the answer's data as `data`.",
    'data = df',
    '',
    answer.analysis_code.trimEnd(),
    '',
  ].join('\n');
}

export function pythonFor(answer: Answer): string {
  const columns = answer.data?.columns ?? [];
  const numeric = numericColumns(answer);
  const r = (answer.analysis_result ?? {}) as R;
  const target =
    (typeof r.target === 'string' && columns.includes(r.target) ? r.target : null) ??
    numeric[numeric.length - 1] ??
    columns[columns.length - 1] ??
    'value';
  const first = columns.find((c) => c !== target) ?? columns[0] ?? 'label';
  const lines = header(answer);

  switch (answer.analytics_type) {
    case 'forecast': {
      const horizon = typeof r.horizon === 'number' ? r.horizon : Array.isArray(r.forecast) ? r.forecast.length : 3;
      lines.push(
        `# A straight-line forecast (the engine chose: ${String(r.model_used ?? 'its best model').replace(/\n/g, ' ')}).`,
        `date_col, value_col = ${py(first)}, ${py(target)}`,
        `horizon = ${horizon}`,
        's = df[[date_col, value_col]].dropna().copy()',
        's[date_col] = pd.to_datetime(s[date_col])',
        's = s.sort_values(date_col)',
        'x = np.arange(len(s))',
        'slope, intercept = np.polyfit(x, s[value_col].astype(float), 1)',
        'future = intercept + slope * np.arange(len(s), len(s) + horizon)',
        'freq = pd.infer_freq(s[date_col]) or (s[date_col].diff().median())',
        'dates = pd.date_range(s[date_col].iloc[-1], periods=horizon + 1, freq=freq)[1:]',
        'result = {',
        '    "model": "linear trend",',
        '    "forecast": [round(float(v), 2) for v in future],',
        '    "forecast_dates": [d.strftime("%Y-%m-%d") for d in dates],',
        '}',
        'fig = go.Figure([',
        '    go.Scatter(x=s[date_col], y=s[value_col], name=value_col),',
        '    go.Scatter(x=dates, y=future, name="forecast", mode="lines+markers"),',
        '])',
      );
      break;
    }
    case 'correlation':
      lines.push(
        `target = ${py(target)}`,
        'numeric = df.select_dtypes("number").dropna()',
        'others = [c for c in numeric.columns if c != target]',
        'rows = []',
        'for col in others:',
        '    r, p = stats.pearsonr(numeric[col], numeric[target])',
        '    rows.append((col, float(r), float(p)))',
        'rows.sort(key=lambda t: abs(t[1]), reverse=True)',
        'result = {',
        '    "correlations": {c: round(r, 4) for c, r, _ in rows},',
        '    "p_values": {c: p for c, _, p in rows},',
        '    "top_factors": [c for c, _, _ in rows],',
        '}',
        'fig = go.Figure(go.Bar(x=[c for c, _, _ in rows], y=[r for _, r, _ in rows]))',
        'fig.update_layout(title="Pearson r with " + target)',
      );
      break;
    case 'anomaly': {
      const threshold =
        r.method === 'zscore' && typeof r.threshold_used === 'number' ? r.threshold_used : 3;
      lines.push(
        `# A plain z-score rule (the engine used: ${String(r.method ?? 'its own method').replace(/\n/g, ' ')}).`,
        `label_col, value_col = ${py(first)}, ${py(target)}`,
        `threshold = ${threshold}`,
        'values = df[value_col].astype(float)',
        'z = (values - values.mean()) / values.std()',
        'flags = z.abs() > threshold',
        'result = {',
        '    "anomalies": [int(i) for i in df.index[flags]],',
        '    "anomaly_labels": df.loc[flags, label_col].astype(str).tolist(),',
        '    "anomaly_values": values[flags].round(2).tolist(),',
        '    "threshold_used": threshold,',
        '}',
        'fig = go.Figure([',
        '    go.Scatter(x=df[label_col], y=values, name=value_col, mode="lines"),',
        '    go.Scatter(x=df.loc[flags, label_col], y=values[flags], name="anomaly", mode="markers"),',
        '])',
      );
      break;
    }
    case 'summary':
      lines.push(
        `target = ${py(target)}`,
        'col = df[target].astype(float)',
        'described = col.describe()',
        'q1, q3 = described["25%"], described["75%"]',
        'iqr = q3 - q1',
        'outliers = df.index[(col < q1 - 1.5 * iqr) | (col > q3 + 1.5 * iqr)]',
        'result = {',
        '    "summary_stats": {k: round(float(v), 4) for k, v in described.items()},',
        '    "outliers": [int(i) for i in outliers],',
        '    "missing_percent": {c: round(float(v) * 100, 2) for c, v in df.isna().mean().items()},',
        '}',
        'fig = go.Figure(go.Box(y=col, name=target))',
      );
      break;
    case 'trend':
      lines.push(
        `date_col, value_col = ${py(first)}, ${py(target)}`,
        's = df[[date_col, value_col]].dropna()',
        'x = np.arange(len(s))',
        'fit = stats.linregress(x, s[value_col].astype(float))',
        'start, end = fit.intercept, fit.intercept + fit.slope * (len(s) - 1)',
        'result = {',
        '    "direction": "up" if fit.slope > 0 and fit.pvalue < 0.05 else "down" if fit.slope < 0 and fit.pvalue < 0.05 else "flat",',
        '    "slope_per_period": float(fit.slope),',
        '    "p_value": float(fit.pvalue),',
        '    "percent_change": float((end - start) / abs(start) * 100) if start else None,',
        '}',
        'fig = go.Figure([',
        '    go.Scatter(x=s[date_col], y=s[value_col], name=value_col, mode="lines+markers"),',
        '    go.Scatter(x=s[date_col], y=fit.intercept + fit.slope * x, name="trend"),',
        '])',
      );
      break;
    default:
      lines.push(
        'numeric = df.select_dtypes("number")',
        'result = {"rows": len(df), "columns": list(df.columns)}',
        'if not numeric.empty:',
        '    result["totals"] = {c: float(v) for c, v in numeric.sum().items()}',
        '    result["means"] = {c: float(v) for c, v in numeric.mean().items()}',
      );
  }
  return lines.join('\n') + '\n';
}
