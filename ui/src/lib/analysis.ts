// Analysis cards: the key facts of `analysis_result` (CONTRACT.md) as a headline, a figure and a
// plain sentence. Only fields the contract names are read; anything missing is left out, never
// guessed.

import type { AnalysisType } from '../backend/types';
import { formatNumber, formatP, formatPercent } from './format';

export interface Card {
  title: string;
  value: string;
  detail: string;
}

type R = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): R => (v && typeof v === 'object' && !Array.isArray(v) ? (v as R) : {});

function forecast(r: R): Card[] {
  const values = arr(r.forecast).map(num).filter((v): v is number => v !== null);
  const dates = arr(r.forecast_dates).map(str);
  const cards: Card[] = [];
  const horizon = num(r.horizon) ?? values.length;
  const freq = str(r.frequency);
  if (values.length > 0) {
    const first = dates[0] ?? 'the first period';
    const last = dates[dates.length - 1] ?? 'the last period';
    cards.push({
      title: 'Forecast',
      value: `${formatNumber(values[0])} → ${formatNumber(values[values.length - 1])}`,
      detail: `${horizon} ${freq ? `${freq}${horizon === 1 ? '' : 's'}` : 'periods'} ahead, from ${first} to ${last}.`,
    });
  }
  const lower = arr(r.lower).map(num);
  const upper = arr(r.upper).map(num);
  if (lower[0] != null && upper[0] != null) {
    cards.push({
      title: 'Prediction interval',
      value: `${formatNumber(lower[0])} – ${formatNumber(upper[0])}`,
      detail: 'The range the first forecast value is expected to fall in (95%).',
    });
  }
  const model = str(r.model_used);
  const backtest = obj(r.backtest);
  const error = num(backtest.value);
  if (model) {
    cards.push({
      title: 'Model',
      value: model,
      detail:
        error !== null
          ? `Tested on the latest history, it was off by ${formatPercent(error)} on average (${str(backtest.metric) ?? 'MAPE'}).`
          : 'Not tested against past data: no backtest came with this forecast.',
    });
  }
  return cards;
}

function correlation(r: R): Card[] {
  const correlations = obj(r.correlations);
  const pValues = obj(r.p_values);
  const target = str(r.target) ?? 'the target';
  return arr(r.top_factors)
    .map(str)
    .filter((f): f is string => f !== null)
    .slice(0, 3)
    .map((factor) => {
      const rv = num(correlations[factor]);
      const strength = rv === null ? '' : Math.abs(rv) >= 0.7 ? 'strong' : Math.abs(rv) >= 0.4 ? 'moderate' : Math.abs(rv) >= 0.2 ? 'weak' : 'very weak';
      const direction = rv === null ? '' : rv > 0 ? 'rises with' : 'falls as';
      return {
        title: factor,
        value: rv === null ? '—' : `r = ${rv.toFixed(2)}`,
        detail:
          rv === null
            ? `Related to ${target}.`
            : `${strength[0].toUpperCase()}${strength.slice(1)}: ${target} ${direction} ${factor} (${formatP(pValues[factor])}).`,
      };
    });
}

function anomaly(r: R): Card[] {
  const count = arr(r.anomalies).length;
  const labels = arr(r.anomaly_labels).map((l) => (l == null ? '' : String(l))).filter(Boolean);
  const threshold = num(r.threshold_used);
  const cards: Card[] = [
    {
      title: 'Anomalies',
      value: String(count),
      detail:
        count === 0
          ? 'No value stands out from what was expected.'
          : `Unusual: ${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ` and ${labels.length - 5} more` : ''}.`,
    },
  ];
  if (threshold !== null) {
    cards.push({
      title: 'Threshold',
      value: `${formatNumber(threshold)} σ`,
      detail: `Values further than ${formatNumber(threshold)} standard deviations from the expected level are flagged${str(r.method) ? ` (${str(r.method)})` : ''}.`,
    });
  }
  return cards;
}

function summary(r: R): Card[] {
  const stats = obj(r.summary_stats);
  const target = str(r.target);
  const cards: Card[] = [];
  if (num(stats.mean) !== null) {
    cards.push({
      title: target ? `Average ${target}` : 'Average',
      value: formatNumber(stats.mean),
      detail: `Median ${formatNumber(stats['50%'])}, from ${formatNumber(stats.min)} to ${formatNumber(stats.max)} over ${formatNumber(stats.count)} values.`,
    });
  }
  const outliers = Object.values(obj(r.outliers)).reduce<number>((n, v) => n + arr(v).length, 0);
  cards.push({
    title: 'Outliers',
    value: String(outliers),
    detail: outliers === 0 ? 'No value lies outside 1.5× the interquartile range.' : 'Values outside 1.5× the interquartile range.',
  });
  const insights = str(r.key_insights);
  if (insights) cards.push({ title: 'Key insights', value: '', detail: insights });
  return cards;
}

function trend(r: R): Card[] {
  const direction = str(r.direction);
  const slope = num(r.slope_per_period);
  const change = num(r.percent_change);
  const cards: Card[] = [];
  if (direction) {
    const word = direction === 'up' ? 'Rising' : direction === 'down' ? 'Falling' : 'Flat';
    cards.push({
      title: 'Direction',
      value: word,
      detail: `${slope !== null ? `${slope >= 0 ? '+' : ''}${formatNumber(slope)} per period` : 'Slope unknown'} (${formatP(r.p_value)}${str(r.method) ? `, ${str(r.method)}` : ''}).`,
    });
  }
  if (change !== null) {
    cards.push({ title: 'Change over the period', value: formatPercent(change, true), detail: 'From the start to the end of the fitted line.' });
  }
  return cards;
}

/** The cards of an answer's analysis, plus the engine's own sentence when it wrote one. */
export function analysisCards(type: AnalysisType | null, result: unknown): Card[] {
  const r = obj(result);
  let cards: Card[] = [];
  switch (type) {
    case 'forecast':
      cards = forecast(r);
      break;
    case 'correlation':
      cards = correlation(r);
      break;
    case 'anomaly':
      cards = anomaly(r);
      break;
    case 'summary':
      cards = summary(r);
      break;
    case 'trend':
      cards = trend(r);
      break;
    default:
      return [];
  }
  return cards;
}

/** The engine's plain-language reading of the analysis, if any. */
export function analysisSentence(result: unknown): string | null {
  return str(obj(result).interpretation);
}
