import { describe, expect, it } from 'vitest';

import { applyChip, findChips } from './chips';

const vocab = { measures: ['revenue', 'amount', 'monthly spend'], dimensions: ['region', 'plan', 'customer plan'] };

describe('interpretation chips', () => {
  it('finds measure, grouping and time range in the question text', () => {
    const q = 'Show monthly revenue for last year and forecast next 3 months';
    const chips = findChips(q, vocab);
    expect(chips.map((c) => [c.kind, c.text])).toEqual([
      ['measure', 'revenue'],
      ['grouping', 'monthly'],
      ['time', 'for last year'],
    ]);
  });

  it('does not take a forecast horizon for a time range', () => {
    const time = findChips('Forecast revenue for next month', vocab).find((c) => c.kind === 'time')!;
    expect(time.start).toBe(-1);
  });

  it('edits only the chosen words of the question', () => {
    const q = 'Show monthly revenue for last year and forecast next 3 months';
    const [measure, grouping, time] = findChips(q, vocab);
    expect(applyChip(q, measure, 'amount')).toBe('Show monthly amount for last year and forecast next 3 months');
    expect(applyChip(q, grouping, 'quarterly')).toBe('Show quarterly revenue for last year and forecast next 3 months');
    expect(applyChip(q, time, 'last quarter')).toBe('Show monthly revenue for last quarter and forecast next 3 months');
    expect(applyChip(q, time, '')).toBe('Show monthly revenue and forecast next 3 months');
  });

  it('prefers a known several-word dimension after "by" and offers dimensions', () => {
    const q = 'Statistical summary of revenue by customer plan?';
    const grouping = findChips(q, vocab).find((c) => c.kind === 'grouping')!;
    expect(grouping.text).toBe('by customer plan');
    expect(grouping.options).toContain('by region');
    expect(applyChip(q, grouping, 'by region')).toBe('Statistical summary of revenue by region?');
  });

  it('appends a time range when the question had none, before the question mark', () => {
    const q = 'Total amount by region?';
    const time = findChips(q, vocab).find((c) => c.kind === 'time')!;
    expect(applyChip(q, time, 'last 30 days')).toBe('Total amount by region for last 30 days?');
  });

  it('matches plurals and several-word measures', () => {
    const chips = findChips('Find anomalies in daily transaction amounts', vocab);
    expect(chips.find((c) => c.kind === 'measure')!.text).toBe('amounts');
    expect(findChips('average monthly spend by plan', vocab)[0].text).toBe('monthly spend');
  });
});
