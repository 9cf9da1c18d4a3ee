import { describe, expect, it } from 'vitest';

import type { Answer } from '../backend/types';
import { analysisCards, analysisSentence } from './analysis';
import forecast from '../test/forecast.json';
import correlation from '../test/correlation.json';
import anomaly from '../test/anomaly.json';
import summary from '../test/summary.json';
import trend from '../test/trend.json';

const cards = (a: unknown) => analysisCards((a as Answer).analytics_type, (a as Answer).analysis_result);

describe('analysis cards', () => {
  it('forecast: values, interval, model and backtest MAPE', () => {
    const c = cards(forecast);
    expect(c.map((x) => x.title)).toEqual(['Forecast', 'Prediction interval', 'Model']);
    expect(c[0].detail).toContain('3 months ahead, from 2026-01-01 to 2026-03-01');
    expect(c[2].value).toBe('linear trend');
    expect(c[2].detail).toContain('12.7%');
  });

  it('forecast without a backtest (a model-written one): no interval card, and the model card says it was not tested', () => {
    const result = { ...(forecast as unknown as Answer).analysis_result, lower: [], upper: [], backtest: null, model_used: 'numpy linear fit' };
    const c = analysisCards('forecast', result);
    expect(c.map((x) => x.title)).toEqual(['Forecast', 'Model']);
    expect(c[1].value).toBe('numpy linear fit');
    expect(c[1].detail).toContain('Not tested against past data');
  });

  it('correlation: top factors with r and p, strongest first', () => {
    const c = cards(correlation);
    expect(c[0]).toMatchObject({ title: 'support_tickets', value: 'r = 0.45' });
    expect(c[0].detail).toContain('p < 0.001');
    expect(c[1].detail).toContain('falls as satisfaction');
  });

  it('anomaly: the count and the labels', () => {
    const c = cards(anomaly);
    expect(c[0].value).toBe('4');
    expect(c[0].detail).toContain('2024-03-15');
  });

  it('summary: average, outliers and the key insights', () => {
    const c = cards(summary);
    expect(c[0].title).toBe('Average revenue');
    expect(c[1].value).toBe('0');
    expect(c[2].detail).toContain('Analyzed 1 numeric column');
  });

  it('trend: direction, slope and percent change', () => {
    const c = cards(trend);
    expect(c[0].value).toBe('Rising');
    expect(c[0].detail).toContain('+1,083.1 per period');
    expect(c[1].value).toBe('+68.7%');
  });

  it('nothing for no analysis or a malformed result, and never throws', () => {
    expect(analysisCards(null, null)).toEqual([]);
    expect(() => analysisCards('forecast', { forecast: 'x', backtest: 3 })).not.toThrow();
    expect(analysisSentence({ interpretation: 'hello' })).toBe('hello');
  });
});
