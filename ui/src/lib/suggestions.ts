// Example questions drawn from the open database's schema: measures × dimensions, time series
// forecasts, anomalies, trends and what correlates with a yes/no column.

import type { Schema } from '../backend/types';
import { vocabulary } from './roles';

export function suggestions(schema: Schema | null, max = 8): string[] {
  const v = vocabulary(schema);
  const out: string[] = [];
  const push = (q: string) => {
    if (!out.includes(q)) out.push(q);
  };
  // "daily monthly spend" reads badly: time questions use measures without a time word.
  const plain = (m: string) => !/(daily|weekly|monthly|quarterly|yearly|annual)/i.test(m);
  const [tm1, tm2] = v.timeMeasures.filter(plain);
  const [m1, m2] = v.measures;
  const [d1, d2] = v.dimensions;
  if (tm1) push(`Show monthly ${tm1} for last year and forecast next 3 months`);
  if (v.flags[0]) push(`What factors correlate with ${v.flags[0]}?`);
  if (tm2 ?? tm1) push(`Find anomalies in daily ${tm2 ?? tm1}`);
  if (m1 && d1) push(`Statistical summary of ${m1} by ${d1}`);
  if (tm1) push(`${tm1[0].toUpperCase()}${tm1.slice(1)} trend by month`);
  if ((m2 ?? m1) && (d2 ?? d1)) push(`Total ${m2 ?? m1} by ${d2 ?? d1}`);
  if (m1 && d1) push(`Which ${d1} has the highest average ${m1}?`);
  if (tm1) push(`${tm1[0].toUpperCase()}${tm1.slice(1)} by quarter for last year`);
  return out.slice(0, max);
}
