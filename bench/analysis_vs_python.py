#!/usr/bin/env python3
"""Analysis benchmark (issue 4, point 9): each native analysis against its pandas / scipy /
statsmodels peer, on the same data, in the same run.

    cargo build --release --workspace
    python3 bench/analysis_vs_python.py [--runs 7] [--bin PATH] [--only NAME] [--db PATH]

Data: bench/out/analysis.db, made here on first use with numpy's seeded generator (identical on
every machine with the same numpy): `metrics`, 1,000,000 rows of six numeric columns (units,
price, discount, shipping_days, rating, revenue; revenue depends on the others and has 300
planted outliers), and `daily`, 10,000 consecutive days of a positive series with a trend and a
weekly cycle.

Cases (the SQL is the same for both sides; Python reads it with pandas.read_sql_query):

  summary      six numeric columns, 1M rows: describe(), 1.5×IQR outliers, skew, kurtosis,
               D'Agostino K² (scipy.stats.normaltest), missing percentages, per column
  correlation  the same frame: the 6×6 Pearson matrix (DataFrame.corr) plus r and p of each
               column against revenue (scipy.stats.pearsonr)
  zscore       revenue, 1M rows: |z| > 3, std with ddof=1 (scipy.stats.zscore)
  iqr          revenue, 1M rows: outside q1 - 1.5·IQR, q3 + 1.5·IQR (pandas quantiles)
  holt_winters daily, 10k points: additive trend and additive weekly seasonality, 14 days ahead
               (statsmodels ExponentialSmoothing(trend="add", seasonal="add",
               seasonal_periods=7).fit().forecast(14); Sightline `--method hw --season-length 7`)

What is timed, alternating the two sides run by run:

- Sightline's analysis step: the `analyze` stage of `sightline analyze TYPE --json` (the
  `stages[].ms` the engine reports: the query result as a polars frame, the analysis, its
  result), one process per run; and the wall time of that whole process (start, open, query,
  load, analysis, chart, JSON on stdout).
- Python's analysis step: the peer function below on the DataFrame already loaded, timed with
  perf_counter in this process (after one warm-up call, so lazy imports are not counted).
- Python's import time: `python3 -c "import pandas, scipy, statsmodels"` (the aim's yardstick)
  and `python3 -c "import pandas, scipy.stats, statsmodels.tsa.holtwinters"` (what these
  analyses actually import), each as its own process.

Before timing, each case checks that both sides computed the same numbers (tolerances in
`check_*`); a mismatch is printed and makes the run exit 1. Writes the Markdown report to
bench/out/analysis_vs_python.md.
"""

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.holtwinters import ExponentialSmoothing

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 20261124
N_ROWS = 1_000_000
N_DAYS = 10_000
SIX = ["units", "price", "discount", "shipping_days", "rating", "revenue"]
SIX_SQL = "SELECT " + ", ".join(SIX) + " FROM metrics"
DAILY_SQL = "SELECT day, value FROM daily"
HORIZON = 14
AIM = 5.0


# ------------------------------------------------------------------------------ data


def make_db(path):
    """The benchmark data; skipped when the file already has the right row counts."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        counts = (
            con.execute("SELECT count(*) FROM metrics").fetchone()[0],
            con.execute("SELECT count(*) FROM daily").fetchone()[0],
        )
        con.close()
        if counts == (N_ROWS, N_DAYS):
            return
    except sqlite3.Error:
        pass
    t0 = time.perf_counter()
    rng = np.random.default_rng(SEED)
    units = rng.poisson(3.0, N_ROWS) + 1
    price = np.round(rng.lognormal(3.0, 0.5, N_ROWS), 2)
    discount = np.round(rng.uniform(0.0, 0.3, N_ROWS), 3)
    shipping_days = rng.poisson(2.0, N_ROWS) + 1
    rating = np.round(np.clip(rng.normal(4.2 - 0.1 * shipping_days, 0.6), 1.0, 5.0), 1)
    revenue = units * price * (1.0 - discount) + rng.normal(0.0, 5.0, N_ROWS)
    planted = rng.choice(N_ROWS, 300, replace=False)
    revenue[planted] *= rng.uniform(15.0, 40.0, 300)
    revenue = np.round(revenue, 2)
    start = np.datetime64("2025-12-31") - np.timedelta64(N_DAYS - 1, "D")
    days = (start + np.arange(N_DAYS).astype("timedelta64[D]")).astype(str)
    t = np.arange(N_DAYS)
    weekly = np.array([-120.0, -40.0, 10.0, 30.0, 60.0, 110.0, -50.0])
    value = np.round(2000.0 + 0.08 * t + weekly[t % 7] + rng.normal(0.0, 35.0, N_DAYS), 2)

    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    con = sqlite3.connect(tmp)
    con.executescript(
        """
        CREATE TABLE metrics (id INTEGER PRIMARY KEY, units INTEGER NOT NULL, price REAL NOT NULL,
            discount REAL NOT NULL, shipping_days INTEGER NOT NULL, rating REAL NOT NULL,
            revenue REAL NOT NULL);
        CREATE TABLE daily (day TEXT PRIMARY KEY, value REAL NOT NULL);
        """
    )
    con.executemany(
        "INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)",
        zip(range(1, N_ROWS + 1), units.tolist(), price.tolist(), discount.tolist(),
            shipping_days.tolist(), rating.tolist(), revenue.tolist()),
    )
    con.executemany("INSERT INTO daily VALUES (?, ?)", zip(days.tolist(), value.tolist()))
    con.commit()
    con.close()
    os.replace(tmp, path)
    print(f"made {path} in {time.perf_counter() - t0:.1f} s")


# ------------------------------------------------------------------- the Python peers


def peer_summary(df):
    desc = df.describe()
    out = {"per_column": {}, "outliers": {}, "shape": {}}
    for c in df.columns:
        col = df[c]
        d = desc[c]
        q1, q3 = d["25%"], d["75%"]
        iqr = q3 - q1
        out["outliers"][c] = np.flatnonzero(((col < q1 - 1.5 * iqr) | (col > q3 + 1.5 * iqr)).to_numpy())
        present = col.dropna().to_numpy(dtype=float)
        k2, p = stats.normaltest(present)
        out["shape"][c] = {"skewness": col.skew(), "kurtosis": col.kurt(), "statistic": k2, "p_value": p}
        out["per_column"][c] = d
    out["missing"] = df.isna().mean() * 100.0
    return out


def peer_correlation(df, target="revenue"):
    matrix = df.corr()
    r, p = {}, {}
    for c in df.columns:
        if c == target:
            continue
        pair = df[[target, c]].dropna()
        res = stats.pearsonr(pair[target], pair[c])
        r[c], p[c] = res.statistic, res.pvalue
    return {"matrix": matrix, "r": r, "p": p}


def peer_zscore(df, target="revenue", threshold=3.0):
    values = df[target].astype(float)
    z = stats.zscore(values, ddof=1, nan_policy="omit")
    idx = np.flatnonzero(np.abs(np.asarray(z)) > threshold)
    # Sightline labels each anomaly (here, with no date or text column, by its row number).
    labels = idx.astype(str).tolist()
    return {"anomalies": idx, "values": values.to_numpy()[idx], "labels": labels, "mean": values.mean(),
            "std": values.std(ddof=1)}


def peer_iqr(df, target="revenue", k=1.5):
    values = df[target].astype(float)
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
    iqr = q3 - q1
    lo, hi = q1 - k * iqr, q3 + k * iqr
    idx = np.flatnonzero(((values < lo) | (values > hi)).to_numpy())
    labels = idx.astype(str).tolist()
    return {"anomalies": idx, "values": values.to_numpy()[idx], "labels": labels, "lower": lo, "upper": hi,
            "median": median}


def peer_holt_winters(df):
    s = pd.Series(df["value"].to_numpy(dtype=float), index=pd.to_datetime(df["day"])).sort_index()
    s = s.groupby(level=0).sum().asfreq("D").interpolate()
    fit = ExponentialSmoothing(s.to_numpy(), trend="add", seasonal="add", seasonal_periods=7,
                               initialization_method="estimated").fit()
    return {"forecast": fit.forecast(HORIZON), "sse": fit.sse, "n": len(s)}


# ------------------------------------------------------------------- same numbers?


def close(a, b, rel, abs_=0.0):
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    if math.isnan(b):
        return False
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def check_summary(ours, py):
    bad = []
    for c in SIX:
        d = ours["per_column"][c]
        for k in ("count", "mean", "std", "min", "25%", "50%", "75%", "max"):
            if not close(d[k], py["per_column"][c][k], 1e-9):
                bad.append(f"{c} {k}: {d[k]} vs {py['per_column'][c][k]}")
        if ours["outliers"][c] != py["outliers"][c].tolist():
            bad.append(f"{c} outliers: {len(ours['outliers'][c])} vs {len(py['outliers'][c])}")
        sh, psh = ours["shape"][c], py["shape"][c]
        if not close(sh["skewness"], psh["skewness"], 1e-9):
            bad.append(f"{c} skewness: {sh['skewness']} vs {psh['skewness']}")
        if not close(sh["kurtosis"], psh["kurtosis"], 1e-9):
            bad.append(f"{c} kurtosis: {sh['kurtosis']} vs {psh['kurtosis']}")
        norm = sh.get("normality") or {}
        if not close(norm.get("statistic"), psh["statistic"], 1e-9):
            bad.append(f"{c} normaltest statistic: {norm.get('statistic')} vs {psh['statistic']}")
        if not close(norm.get("p_value"), psh["p_value"], 1e-6, 1e-300):
            bad.append(f"{c} normaltest p: {norm.get('p_value')} vs {psh['p_value']}")
        if not close(ours["missing_data"][c], py["missing"][c], 0.0, 1e-12):
            bad.append(f"{c} missing: {ours['missing_data'][c]} vs {py['missing'][c]}")
    return bad, f"mean revenue {ours['per_column']['revenue']['mean']:.4f}, {len(ours['outliers']['revenue']):,} IQR outliers"


def check_correlation(ours, py):
    bad = []
    for c, r in py["r"].items():
        if not close(ours["correlations"].get(c), r, 1e-9, 1e-15):
            bad.append(f"r[{c}]: {ours['correlations'].get(c)} vs {r}")
        if not close(ours["p_values"].get(c), py["p"][c], 1e-6, 1e-300):
            bad.append(f"p[{c}]: {ours['p_values'].get(c)} vs {py['p'][c]}")
    cols = ours["matrix"]["columns"]
    if sorted(cols) != sorted(SIX):
        bad.append(f"matrix columns: {cols}")
    else:
        for i, a in enumerate(cols):
            for j, b in enumerate(cols):
                if not close(ours["matrix"]["values"][i][j], py["matrix"].loc[a, b], 1e-9, 1e-15):
                    bad.append(f"matrix[{a}][{b}]: {ours['matrix']['values'][i][j]} vs {py['matrix'].loc[a, b]}")
    top = ours["top_factors"][0]
    return bad, f"{len(cols)}×{len(cols)} matrix, top {top} r={ours['correlations'][top]:.4f}"


def check_anomalies(ours, py, extra):
    bad = []
    if ours["anomalies"] != py["anomalies"].tolist():
        bad.append(f"anomalies: {len(ours['anomalies'])} vs {len(py['anomalies'])}")
    if ours["anomaly_labels"] != py["labels"]:
        bad.append("anomaly_labels differ")
    if not np.array_equal(np.array(ours["anomaly_values"], dtype=float), py["values"]):
        bad.append("anomaly_values differ")
    for k, (mine, theirs) in extra.items():
        if not close(mine, theirs, 1e-9):
            bad.append(f"{k}: {mine} vs {theirs}")
    return bad, f"{len(ours['anomalies']):,} anomalies"


def check_zscore(ours, py):
    return check_anomalies(ours, py, {"mean": (ours["mean"], py["mean"]), "std": (ours["std"], py["std"])})


def check_iqr(ours, py):
    return check_anomalies(ours, py, {"lower_bound": (ours["lower_bound"], py["lower"]),
                                      "upper_bound": (ours["upper_bound"], py["upper"])})


def check_holt_winters(ours, py):
    """Two optimisers need not land on the same parameters; the forecasts must agree closely."""
    bad = []
    fc, theirs = np.array(ours["forecast"], dtype=float), np.asarray(py["forecast"], dtype=float)
    if len(fc) != len(theirs):
        return [f"horizon {len(fc)} vs {len(theirs)}"], ""
    diff = float(np.max(np.abs(fc - theirs) / np.abs(theirs)) * 100.0)
    if diff > 1.0:
        bad.append(f"forecast differs by up to {diff:.2f}% (tolerance 1%)")
    if ours.get("seasonal_period") != 7:
        bad.append(f"seasonal_period {ours.get('seasonal_period')}")
    if len(ours["history_values"]) != py["n"]:
        bad.append(f"history length {len(ours['history_values'])} vs {py['n']}")
    return bad, f"{ours['model_used']}; forecasts within {diff:.2f}% of statsmodels'"


CASES = [
    {"name": "summary", "what": "summary of six numeric columns", "rows": N_ROWS, "sql": SIX_SQL,
     "args": ["summary", "--target", "revenue"], "peer": peer_summary, "check": check_summary,
     "python": "describe(), IQR outliers, skew, kurt, normaltest, isna().mean()"},
    {"name": "correlation", "what": "correlation matrix (6×6) + r, p vs revenue", "rows": N_ROWS, "sql": SIX_SQL,
     "args": ["correlation", "--target", "revenue"], "peer": peer_correlation, "check": check_correlation,
     "python": "DataFrame.corr(), scipy.stats.pearsonr × 5"},
    {"name": "zscore", "what": "z-score anomalies (|z| > 3)", "rows": N_ROWS, "sql": SIX_SQL,
     "args": ["anomaly", "--target", "revenue", "--method", "zscore"], "peer": peer_zscore, "check": check_zscore,
     "python": "scipy.stats.zscore(ddof=1), mask, values and row labels of the anomalies"},
    {"name": "iqr", "what": "IQR anomalies (1.5×IQR)", "rows": N_ROWS, "sql": SIX_SQL,
     "args": ["anomaly", "--target", "revenue", "--method", "iqr"], "peer": peer_iqr, "check": check_iqr,
     "python": "Series.quantile, mask, values and row labels of the anomalies"},
    {"name": "holt_winters", "what": "Holt-Winters (additive, period 7), 14 ahead", "rows": N_DAYS, "sql": DAILY_SQL,
     "args": ["forecast", "--target", "value", "--date-col", "day", "--method", "hw", "--season-length", "7",
              "--horizon", str(HORIZON)],
     "peer": peer_holt_winters, "check": check_holt_winters,
     "python": "ExponentialSmoothing(trend='add', seasonal='add', seasonal_periods=7).fit().forecast(14)"},
]


# ------------------------------------------------------------------------------ runs


def default_bin():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "sightline")


def run_sightline(binary, db, case):
    cmd = [binary, "analyze", *case["args"], "--db", db, "--sql", case["sql"], "--json"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    try:
        answer = json.loads(p.stdout)
    except json.JSONDecodeError:
        sys.exit(f"sightline printed no JSON (exit {p.returncode}): {p.stderr[-2000:]}")
    if p.returncode != 0 or answer.get("error"):
        sys.exit(f"sightline failed on {case['name']}: {answer.get('error')}")
    stages = {s["name"]: s["ms"] for s in answer.get("stages", [])}
    return wall, stages, answer


def timed_call(fn, df):
    t0 = time.perf_counter()
    out = fn(df)
    return (time.perf_counter() - t0) * 1000.0, out


def process_time(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    return time.perf_counter() - t0


def versus(python_import, process):
    """The whole process against Python's import time, in words."""
    if process <= python_import:
        return f"{python_import / process:.1f}× faster"
    return f"{process / python_import:.1f}× slower"


def percentile(xs, q):
    s = sorted(xs)
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=default_bin())
    ap.add_argument("--db", default=os.path.join(HERE, "out", "analysis.db"))
    ap.add_argument("--only", help="run only the cases whose name contains this text")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the import-time runs")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "analysis_vs_python.md"))
    args = ap.parse_args()

    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    make_db(args.db)
    db = os.path.abspath(args.db)
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is missing: run cargo build --release --workspace first (or pass --bin)")
    private = tempfile.mkdtemp(prefix="sightline-bench-")
    binary = os.path.join(private, "sightline")
    shutil.copy2(args.bin, binary)
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    load_before = os.getloadavg()
    cases = [c for c in CASES if not args.only or args.only in c["name"]]

    all_same = True
    frames = {}
    for case in cases:
        if case["sql"] not in frames:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            t0 = time.perf_counter()
            frames[case["sql"]] = pd.read_sql_query(case["sql"], con)
            case["py_load_ms"] = (time.perf_counter() - t0) * 1000.0
            con.close()
        df = frames[case["sql"]]
        _, _, answer = run_sightline(binary, db, case)
        py = case["peer"](df)  # also the warm-up call
        bad, headline = case["check"](answer["analysis_result"], py)
        case["same"], case["bad"], case["headline"] = not bad, bad, headline
        all_same &= not bad
        print(f"{case['name']}: {'same numbers' if not bad else 'MISMATCH'} ({headline})")
        for line in bad[:10]:
            print("   ", line)

        case["s_analyze"], case["s_wall"], case["p_analyze"], case["stages"] = [], [], [], []
        for i in range(args.runs):
            order = ["s", "p"] if i % 2 == 0 else ["p", "s"]
            for who in order:
                if who == "s":
                    wall, stages, _ = run_sightline(binary, db, case)
                    case["s_wall"].append(wall)
                    case["s_analyze"].append(stages["analyze"])
                    case["stages"].append(stages)
                else:
                    ms, _ = timed_call(case["peer"], df)
                    case["p_analyze"].append(ms)
        print(f"   sightline analyze {statistics.median(case['s_analyze']):.1f} ms "
              f"(process {statistics.median(case['s_wall']):.3f} s), "
              f"python {statistics.median(case['p_analyze']):.1f} ms")

    imports = {
        "import pandas, scipy, statsmodels": [],
        "import pandas, scipy.stats, statsmodels.tsa.holtwinters": [],
    }
    for _ in range(args.runs):
        for stmt, times in imports.items():
            times.append(process_time([args.python, "-c", stmt]))
    load_after = os.getloadavg()
    yardstick = statistics.median(imports["import pandas, scipy, statsmodels"])
    needed = statistics.median(imports["import pandas, scipy.stats, statsmodels.tsa.holtwinters"])

    lines = [
        f"Native analysis step vs its Python peer, {args.runs} alternating runs, medians.",
        "",
        f"Binary {args.bin} (sha256 {digest}…), work tree at {commit or '?'}; {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, pandas {pd.__version__}, "
        f"numpy {np.__version__}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        "| analysis | rows | sightline analyze step (ms) | python analysis step (ms) | ratio | aim ≥5× "
        "| sightline whole `analyze` process (s) | process vs `import pandas, scipy, statsmodels` | same numbers |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for c in cases:
        sm, pm = statistics.median(c["s_analyze"]), statistics.median(c["p_analyze"])
        wall = statistics.median(c["s_wall"])
        ratio = pm / sm if sm > 0 else float("inf")
        c["ratio"] = ratio
        same = "yes (" + c["headline"] + ")" if c["same"] else "NO: " + "; ".join(c["bad"][:3])
        lines.append(
            f"| {c['what']} | {c['rows']:,} | {sm:.1f} (p90 {percentile(c['s_analyze'], 0.9):.1f}) "
            f"| {pm:.1f} (p90 {percentile(c['p_analyze'], 0.9):.1f}) | **{ratio:.1f}×** "
            f"| {'met' if ratio >= AIM else 'NOT met'} | {wall:.3f} | {versus(yardstick, wall)} |"
            f" {same} |"
        )
    lines += [
        "",
        f"Python import time (own process, median of {args.runs}): `import pandas, scipy, statsmodels` "
        f"{yardstick:.3f} s (p90 {percentile(imports['import pandas, scipy, statsmodels'], 0.9):.3f}); "
        f"`import pandas, scipy.stats, statsmodels.tsa.holtwinters` {needed:.3f} s.",
        "",
        "Sightline stages of the whole process (medians, ms):",
        "",
        "| analysis | stages | python read_sql_query (ms, once) |",
        "| --- | --- | ---: |",
    ]
    for c in cases:
        keys = list(c["stages"][0])
        med = ", ".join(f"{k} {statistics.median(s.get(k, 0.0) for s in c['stages']):.1f}" for k in keys)
        load = f"{c['py_load_ms']:.0f}" if "py_load_ms" in c else "(shared)"
        lines.append(f"| {c['name']} | {med} | {load} |")
    lines += ["", "Python peers:", ""] + [f"- {c['name']}: {c['python']}" for c in cases]
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(f"written to {args.out}")
    shutil.rmtree(private, ignore_errors=True)
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
