import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import type { Answer } from '../backend/types';
import { toCsv } from './csv';
import { codeFor, numericColumns, pythonFor } from './python';
import forecast from '../test/forecast.json';
import correlation from '../test/correlation.json';
import anomaly from '../test/anomaly.json';
import summary from '../test/summary.json';
import trend from '../test/trend.json';

const answers = { forecast, correlation, anomaly, summary, trend } as unknown as Record<string, Answer>;

/** SECURITY.md S4's import allowlist, as the sandbox guard enforces it. */
const ALLOWED = new Set(['pandas', 'numpy', 'scipy', 'statsmodels', 'sklearn', 'plotly', 'math', 'statistics', 'datetime', 'json', 'collections', 'itertools', 'functools', 're']);

function imports(code: string): string[] {
  return [...code.matchAll(/^\s*(?:import|from)\s+([A-Za-z_][\w]*)/gm)].map((m) => m[1]);
}

function pythonWithPandas(): boolean {
  try {
    execFileSync('python3', ['-c', 'import pandas, scipy, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Runs each answer's code as the sandbox would (`df` from the CSV, `result` read back), all in
// one Python process. Plotly is stubbed (the host may not have it; the sandbox image does).
function runAll(answers: Answer[]): Array<Record<string, unknown>> {
  const dirs = answers.map((answer) => {
    const dir = mkdtempSync(join(tmpdir(), 'sightline-py-'));
    writeFileSync(join(dir, 'df.csv'), toCsv(answer.data!.columns, answer.data!.rows, false));
    writeFileSync(join(dir, 'code.py'), pythonFor(answer));
    return dir;
  });
  const harness = `
import sys, types, json
go = types.ModuleType("plotly.graph_objects")
class _Fig:
    def __init__(self, *a, **k): pass
    def update_layout(self, *a, **k): pass
for name in ("Figure", "Scatter", "Bar", "Box"): setattr(go, name, _Fig)
plotly = types.ModuleType("plotly"); plotly.graph_objects = go
sys.modules["plotly"] = plotly; sys.modules["plotly.graph_objects"] = go
import pandas as pd
out = []
for d in sys.argv[1:]:
    env = {"df": pd.read_csv(d + "/df.csv")}
    exec(open(d + "/code.py").read(), env)
    out.append(env["result"])
print(json.dumps(out, default=float))
`;
  return JSON.parse(execFileSync('python3', ['-c', harness, ...dirs], { encoding: 'utf8' }));
}

describe('pythonFor', () => {
  for (const [type, answer] of Object.entries(answers)) {
    it(`writes ${type} code that imports only allowed modules and uses no dunders`, () => {
      const code = pythonFor(answer);
      expect(imports(code).every((m) => ALLOWED.has(m))).toBe(true);
      expect(code).not.toMatch(/__\w+__|\beval\(|\bexec\(|\bopen\(/);
      expect(code).toContain('result = ');
    });
  }

  it('names the target column as a string literal and keeps the SQL in comments only', () => {
    const code = pythonFor(answers.forecast);
    expect(code).toContain('date_col, value_col = "month", "revenue"');
    expect(code).toContain('horizon = 3');
    for (const line of answers.forecast.sql!.split('\n')) expect(code).toContain(`#   ${line}`);
  });

  it('cannot be broken out of by hostile names or SQL', () => {
    const hostile = {
      ...answers.summary,
      sql: 'SELECT 1\nimport os; os.system("id")',
      data: { columns: ['region', 'x"\nimport os #'], rows: [['a', 1], ['b', 2]], row_count: 2, truncated: false },
      analysis_result: { target: 'x"\nimport os #' },
    } as Answer;
    const code = pythonFor(hostile);
    expect(imports(code)).not.toContain('os');
    expect(code).toContain('target = "x\\"\\nimport os #"');
    expect(code).toContain('#   import os; os.system("id")');
  });

  it('finds the numeric columns from the values shown', () => {
    expect(numericColumns(answers.forecast)).toEqual(['revenue']);
    expect(numericColumns(answers.correlation)).toEqual(['churned', 'age', 'monthly_spend', 'support_tickets', 'satisfaction']);
  });

  it.runIf(pythonWithPandas())('runs with pandas and gets the same numbers as the engine where the methods agree', () => {
    const [s, c, f, t, a] = runAll([answers.summary, answers.correlation, answers.forecast, answers.trend, answers.anomaly]);
    const engine = (answers.summary.analysis_result as { summary_stats: Record<string, number> }).summary_stats;
    const stats = s.summary_stats as Record<string, number>;
    expect(stats.mean).toBeCloseTo(engine.mean, 2);
    expect(stats['50%']).toBeCloseTo(engine['50%'], 2);

    expect((c.top_factors as string[]).length).toBe(4);

    expect(f.forecast_dates).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    // The engine's model for this series is also a linear trend: the same first value.
    expect((f.forecast as number[])[0]).toBeCloseTo((answers.forecast.analysis_result as { forecast: number[] }).forecast[0], 0);

    // 20 rows of the fixture: the sign of the slope, not its significance, is comparable.
    expect(t.slope_per_period as number).toBeGreaterThan(0);
    expect(['up', 'flat']).toContain(t.direction);
    expect(Array.isArray(a.anomalies)).toBe(true);
  }, 60_000);
});

describe('codeFor', () => {
  it("starts from the model's code, with data bound to df, when the model wrote the analysis", () => {
    const base = { analytics_type: null, analysis_result: null, data: null, sql: 'SELECT 1' } as unknown as Parameters<typeof codeFor>[0];
    const written = { ...base, analysis_code: "result = {'n': len(data)}" };
    const code = codeFor(written);
    expect(code).toContain('data = df');
    expect(code).toContain("result = {'n': len(data)}");
    expect(code.indexOf('data = df')).toBeLessThan(code.indexOf('result ='));
    expect(codeFor({ ...base, analysis_code: null })).toBe(pythonFor({ ...base, analysis_code: null }));
  });
});
