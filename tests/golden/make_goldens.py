#!/usr/bin/env python3
"""Golden numbers for crates/sightline-analytics, computed with pandas, numpy, scipy,
statsmodels and scikit-learn.

Builds small deterministic datasets (literal lists, or numpy's seeded RNG rounded to a few
decimals), computes what Sightline's analyses must return, and writes both the inputs and the
expected values to tests/golden/analytics.json. The Rust tests
(crates/sightline-analytics/tests/analytics/golden.rs) read that file.

    python3 tests/golden/make_goldens.py           # rewrite analytics.json
    python3 tests/golden/make_goldens.py --check   # recompute; exit 1 if anything differs by
                                                   # more than 1e-12 (relative) from the file

Conventions in the JSON: a frame is a list of columns {name, dtype, values} with dtype one of
int64, float64, str, date (ISO text); a missing value or a non-finite result is null.

What is pandas/scipy and what is Sightline's own definition:
- describe(), quantiles, 1.5*IQR outliers, missing percentages: pandas.
- correlations and p-values: scipy.stats.pearsonr on the rows where both values exist;
  the matrix: pandas DataFrame.corr() (pairwise complete).
- slope, intercept, r^2, p-value: scipy.stats.linregress.
- z-scores: pandas, (x - mean) / std with ddof=1, flagged when |z| > threshold.
- seasonal_forecast: statsmodels ExponentialSmoothing holdout MAPEs on public seasonal series
  shipped inside statsmodels (see seasonal_cases); interval_widths: statsmodels ETSModel's
  analytical interval widths.
- spearman: scipy.stats.spearmanr and pandas corr(method="spearman"); shape: pandas skew() and
  kurt(), scipy.stats.normaltest; categorical: pandas value_counts (ties by value);
  mann_kendall: the textbook test written out below plus scipy.stats.theilslopes; iqr: pandas
  quantiles; isolation_forest: scikit-learn IsolationForest scores (compared by agreement);
  sample_transactions: daily totals read from sample-data/sample.db with its planted days.
- forecast: the moving average (mean of the last w values, carried flat) and the linear trend
  are the textbook definitions; the interval half-widths and the backtest MAPE follow the
  definitions documented in crates/sightline-analytics/src/forecast.rs and are spelled out
  below so that the Rust code is checked against an independent implementation.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import stats

HERE = Path(__file__).resolve().parent
OUT = HERE / "analytics.json"
SEED = 20240601
Z95 = float(stats.norm.ppf(0.975))
CHECK_TOLERANCE = 1e-12


# --------------------------------------------------------------------------- helpers


def clean(v):
    """JSON-safe value: numpy scalars to Python, NaN/inf to None, recursively."""
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return [clean(x) for x in v.tolist()]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def col(name, dtype, values):
    return {"name": name, "dtype": dtype, "values": clean(list(values))}


def as_float(values):
    return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")


def rng_values(rng, loc, scale, n, decimals=3):
    return [float(x) for x in np.round(rng.normal(loc, scale, n), decimals)]


def describe(values):
    s = as_float(values)
    d = s.describe()
    q1, q3 = s.quantile(0.25), s.quantile(0.75)
    iqr = q3 - q1
    outliers = s[(s < q1 - 1.5 * iqr) | (s > q3 + 1.5 * iqr)].index.tolist()
    return {
        "stats": {k: d[k] for k in ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]},
        "outliers": outliers,
    }


def pairwise(x, y):
    x, y = as_float(x), as_float(y)
    keep = x.notna() & y.notna()
    return x[keep].to_numpy(), y[keep].to_numpy()


def frame_df(frame):
    data = {}
    for c in frame:
        if c["dtype"] in ("int64", "float64"):
            data[c["name"]] = as_float(c["values"])
        else:
            data[c["name"]] = pd.Series(c["values"], dtype="object")
    return pd.DataFrame(data)


# --------------------------------------------------------------------------- describe / summary


def describe_cases(rng):
    normal = rng_values(rng, 5000, 1200, 1000, 2)
    for i, v in [(45, 98765.0), (67, -20000.0), (123, 99999.0)]:
        normal[i] = v
    ints = [int(x) for x in rng.integers(0, 100, 500)]
    for i in [10, 250, 499]:
        ints[i] = 1000
    cases = [
        ("ints_small", "int64", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]),
        ("floats_with_nulls", "float64", [1.5, None, -2.25, 3.0, None, 10.125, 0.0, 7.75]),
        ("constant", "int64", [7, 7, 7, 7, 7]),
        ("single_value", "float64", [42.0]),
        ("two_values", "float64", [-1.0, 3.0]),
        ("all_null", "float64", [None, None, None]),
        ("negatives", "float64", [-5.5, -100.25, -3.0, -47.0, -0.5, -12.0]),
        ("large_offset", "float64", [1e9 + x for x in rng_values(rng, 0, 1, 200, 4)]),
        ("normal_1000_with_outliers", "float64", normal),
        ("ints_500_with_outliers", "int64", ints),
    ]
    out = []
    for name, dtype, values in cases:
        d = describe(values)
        out.append({"name": name, "dtype": dtype, "values": clean(values),
                    "expected": d["stats"], "outliers": d["outliers"]})
    return out


def summary_frames(rng):
    n = 40
    amount = rng_values(rng, 250, 60, n, 2)
    amount[5] = None
    amount[17] = 900.0
    region = [["north", "south", "east", "west"][i % 4] for i in range(n)]
    region[3] = None
    region[30] = None
    quantity = [int(x) for x in rng.integers(1, 10, n)]
    frame = [
        col("order_id", "int64", range(1000, 1000 + n)),
        col("region", "str", region),
        col("amount", "float64", amount),
        col("quantity", "int64", quantity),
    ]
    df = frame_df(frame)
    numeric = ["order_id", "amount", "quantity"]
    per_column, outliers = {}, {}
    for c in numeric:
        d = describe(df[c].tolist())
        per_column[c] = d["stats"]
        outliers[c] = d["outliers"]
    missing = (df.isnull().mean() * 100).to_dict()
    return [{
        "name": "orders",
        "frame": frame,
        "target": None,
        "expected": {"target": "amount", "per_column": per_column, "outliers": outliers,
                     "missing_data": missing},
    }]


# --------------------------------------------------------------------------- correlation


def correlation_case(name, frame, target, excluded):
    df = frame_df(frame)
    compared = [c["name"] for c in frame
                if c["dtype"] in ("int64", "float64") and c["name"] != target
                and c["name"] not in excluded]
    correlations, p_values, n_pairs = {}, {}, {}
    for c in compared:
        x, y = pairwise(df[target], df[c])
        res = stats.pearsonr(y, x)
        correlations[c] = float(res.statistic)
        p_values[c] = float(res.pvalue)
        n_pairs[c] = len(x)
    top = sorted(compared, key=lambda c: -abs(correlations[c]))
    cols = [target] + compared
    matrix = df[cols].corr(method="pearson").to_numpy()
    return {
        "name": name,
        "frame": frame,
        "target": target,
        "expected": {
            "correlations": correlations,
            "p_values": p_values,
            "n_pairs": n_pairs,
            "top_factors": top,
            "matrix": {"columns": cols, "values": matrix},
            "excluded": excluded,
            "n": int(df[target].notna().sum()),
        },
    }


def correlation_cases(rng):
    n = 50
    x1 = rng_values(rng, 0, 1, n)
    x2 = rng_values(rng, 10, 3, n)
    noise = rng_values(rng, 0, 0.5, n)
    y = [round(2 * a + e, 4) for a, e in zip(x1, noise)]
    x3 = [round(-b + e / 4, 4) for b, e in zip(y, rng_values(rng, 0, 1, n))]
    linear = [col("y", "float64", y), col("x1", "float64", x1), col("x2", "float64", x2),
              col("x3", "float64", x3)]

    m = 30
    a = rng_values(rng, 100, 15, m, 2)
    b = [round(0.5 * v + e, 2) for v, e in zip(a, rng_values(rng, 0, 10, m, 2))]
    c = rng_values(rng, -20, 5, m, 2)
    for i in (2, 9, 17):
        a[i] = None
    for i in (4, 9, 25):
        b[i] = None
    c[0] = None
    nulls = [col("sales", "float64", a), col("visits", "float64", b), col("temp", "float64", c)]

    k = 25
    price = rng_values(rng, 20, 4, k, 2)
    sales = [round(500 - 12 * p + e, 1) for p, e in zip(price, rng_values(rng, 0, 20, k, 1))]
    ids = [int(i) for i in rng.permutation(np.arange(1, k + 1))]
    ids_case = [col("id", "int64", ids), col("sales", "float64", sales),
                col("price", "float64", price), col("flag", "int64", [1] * k),
                col("customer_id", "int64", [i % 5 for i in range(k)])]

    return [
        correlation_case("linear_with_noise", linear, "y", []),
        correlation_case("pairwise_nulls", nulls, "sales", []),
        correlation_case("id_and_constant_excluded", ids_case, "sales", ["id", "flag"]),
        correlation_case("two_rows", [col("y", "float64", [1.0, 3.0]),
                                      col("x", "float64", [2.0, 1.0])], "y", []),
        correlation_case("three_rows_ints", [col("y", "int64", [1, 2, 4]),
                                             col("x", "int64", [3, 5, 4])], "y", []),
        correlation_case("perfect_line", [col("y", "int64", [2 * i + 1 for i in range(10)]),
                                          col("x", "int64", list(range(10))),
                                          col("neg", "float64", [-0.5 * i for i in range(10)])],
                         "y", []),
        correlation_case("negative_values", [
            col("loss", "float64", [-5.5, -100.25, -3.0, -47.0, -0.5, -12.0, -60.0]),
            col("risk", "float64", [0.1, 0.9, 0.05, 0.5, 0.0, 0.2, 0.7])], "loss", []),
    ]


# --------------------------------------------------------------------------- regression


def linregress_expected(x, y):
    xs, ys = pairwise(x, y)
    r = stats.linregress(xs, ys)
    return {"slope": r.slope, "intercept": r.intercept, "r": r.rvalue,
            "r_squared": r.rvalue ** 2, "p_value": r.pvalue, "stderr": r.stderr, "n": len(xs)}


def linregress_cases(rng):
    x100 = list(range(100))
    y100 = [round(3.0 + 0.25 * i + e, 3) for i, e in zip(x100, rng_values(rng, 0, 5, 100))]
    x5k = rng_values(rng, 0, 1, 5000)
    y5k = [round(0.02 * a + e, 4) for a, e in zip(x5k, rng_values(rng, 0, 1, 5000))]
    ynan = [10.0, 8.5, None, 6.0, 4.2, None, 1.0, -0.5]
    xnan = [0, 1, 2, 3, None, 5, 6, 7]
    cases = [
        ("two_points", [0, 1], [1.0, 3.0]),
        ("two_points_equal_y", [0, 1], [5.0, 5.0]),
        ("three_ints", [1, 2, 3], [2, 1, 4]),
        ("perfect_fit", [0, 1, 2, 3, 4], [1, 3, 5, 7, 9]),
        ("noisy_100", x100, y100),
        ("nan_pairs_dropped", xnan, ynan),
        ("constant_y", [0, 1, 2, 3, 4], [2.5, 2.5, 2.5, 2.5, 2.5]),
        ("weak_5000", x5k, y5k),
    ]
    return [{"name": n, "x": clean(x), "y": clean(y), "expected": linregress_expected(x, y)}
            for n, x, y in cases]


def month_starts(start, n):
    return [str(d.date()) for d in pd.date_range(start, periods=n, freq="MS")]


def trend_case(name, frame, date_column, target, x, y, dates):
    r = stats.linregress(x, y)
    fitted = [r.intercept + r.slope * xi for xi in x]
    direction = "flat" if not r.pvalue < 0.05 else ("up" if r.slope > 0 else "down")
    return {
        "name": name, "frame": frame, "date_column": date_column, "target": target,
        "expected": {
            "slope_per_period": r.slope, "intercept": r.intercept, "p_value": r.pvalue,
            "r_squared": r.rvalue ** 2, "fitted": fitted, "direction": direction,
            "percent_change": (fitted[-1] - fitted[0]) / abs(fitted[0]) * 100,
            "history_values": y, "history_dates": dates,
        },
    }


def trend_cases(rng):
    out = []
    # Monthly text dates, rising.
    months = [m[:7] for m in month_starts("2023-01-01", 24)]
    revenue = [round(10000 + 250 * i + e, 2) for i, e in enumerate(rng_values(rng, 0, 400, 24))]
    out.append(trend_case("monthly_text_up", [col("month", "str", months),
                                              col("revenue", "float64", revenue)],
                          "month", "revenue", list(range(24)), revenue,
                          month_starts("2023-01-01", 24)))

    # Daily Date column, shuffled, two rows on one date (summed), one day missing, one null.
    days = pd.date_range("2024-02-20", periods=20, freq="D")
    vals = rng_values(rng, 50, 5, 20, 2)
    rows = [(d, v) for d, v in zip(days, vals)]
    del rows[7]                                 # a missing day
    rows.append((days[3], 12.5))                # a second row on 2024-02-23
    rows.append((days[11], None))               # a row without a value
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    frame = [col("day", "date", [str(d.date()) for d, _ in rows]),
             col("orders", "float64", [v for _, v in rows])]
    df = pd.DataFrame({"day": [d for d, _ in rows], "orders": as_float([v for _, v in rows])})
    g = df.dropna().groupby("day", sort=True)["orders"].sum()
    x = [(d - g.index[0]).days for d in g.index]
    out.append(trend_case("daily_dates_shuffled_duplicates_gap", frame, "day", "orders", x,
                          g.tolist(), [str(d.date()) for d in g.index]))

    # No date column: row order, a null skipped (x keeps the row position).
    values = [5.0, 4.0, None, 3.5, 3.0, 2.0, 2.5, 1.0, -0.5]
    xs = [i for i, v in enumerate(values) if v is not None]
    ys = [v for v in values if v is not None]
    out.append(trend_case("row_order_down_with_null", [col("balance", "float64", values)],
                          None, "balance", xs, ys, []))

    # No trend: noise.
    flat = [int(v) for v in rng.integers(90, 110, 30)]
    out.append(trend_case("flat_noise_ints", [col("tickets", "int64", flat)], None, "tickets",
                          list(range(30)), [float(v) for v in flat], []))

    # Quarterly text, falling, integers.
    quarters = [f"{2019 + i // 4}-Q{i % 4 + 1}" for i in range(16)]
    q_values = [int(800 - 20 * i + v) for i, v in enumerate(rng.integers(-15, 15, 16))]
    out.append(trend_case("quarterly_down_ints", [col("quarter", "str", quarters),
                                                  col("units", "int64", q_values)],
                          "quarter", "units", list(range(16)), [float(v) for v in q_values],
                          [str(pd.Timestamp(f"{2019 + i // 4}-{3 * (i % 4) + 1:02d}-01").date())
                           for i in range(16)]))
    return out


# --------------------------------------------------------------------------- anomaly


def anomaly_case(name, frame, target, threshold, label_column, labels_from):
    df = frame_df(frame)
    s = df[target]
    mean, std = s.mean(), s.std(ddof=1)
    z = (s - mean) / std
    flagged = z.abs() > threshold
    idx = [int(i) for i in s.index[flagged]]
    if labels_from is None:
        labels = [str(i) for i in idx]
    else:
        labels = [str(df[labels_from][i]) for i in idx]
    return {"name": name, "frame": frame, "target": target, "threshold": threshold,
            "label_column": label_column,
            "expected": {"anomalies": idx, "anomaly_values": [s[i] for i in idx],
                         "anomaly_labels": labels, "mean": mean, "std": std}}


def anomaly_cases(rng):
    n = 200
    values = rng_values(rng, 100, 10, n, 2)
    for i, v in [(45, 250.0), (67, -50.0), (123, 300.0)]:
        values[i] = v
    days = [str(d.date()) for d in pd.date_range("2025-01-01", periods=n, freq="D")]
    spikes = [col("day", "str", days), col("amount", "float64", values)]
    ints = [10, 12, 11, None, 13, 12, 11, 10, 95, 12, 11, 13, 12]
    cats = ["a", "b", "c", "d", "e", "f", "g"]
    neg = [-5.0, -6.5, -5.5, -40.0, -6.0, -5.2, 3.0]
    return [
        anomaly_case("spikes_labelled_by_text_dates", spikes, "amount", 3.0, "day", "day"),
        anomaly_case("ints_with_null_default_labels",
                     [col("hits", "int64", ints)], "hits", 2.5, None, None),
        anomaly_case("constant", [col("v", "int64", [5, 5, 5, 5])], "v", 3.0, None, None),
        anomaly_case("single_value", [col("v", "float64", [7.0])], "v", 3.0, None, None),
        anomaly_case("negatives_by_category", [col("shop", "str", cats),
                                               col("margin", "float64", neg)],
                     "margin", 1.5, None, "shop"),
    ]


# --------------------------------------------------------------------------- forecast


def step_dates(last, freq, h):
    last = pd.Timestamp(last)
    out = []
    for k in range(1, h + 1):
        if freq == "day":
            d = last + pd.Timedelta(days=k)
        elif freq == "week":
            d = last + pd.Timedelta(days=7 * k)
        else:
            months = {"month": 1, "quarter": 3, "year": 12}[freq] * k
            d = last + pd.DateOffset(months=months)
            if last.is_month_end:
                d = d + pd.offsets.MonthEnd(0)
        out.append(str(d.date()))
    return out


def ma_model(y, window, h):
    y = pd.Series(y, dtype="float64")
    w = min(window, len(y))
    level = y.iloc[-w:].mean()
    if len(y) > w:
        prev = y.rolling(w).mean().shift(1)
        e = (y - prev).dropna()
        sigma = math.sqrt((e ** 2).mean())
    else:
        sigma = y.std(ddof=1)
    point = [level] * h
    half = [Z95 * sigma * math.sqrt(k) for k in range(1, h + 1)]
    return point, half, f"{w}-period moving average"


def linear_model(x, y, future_x):
    r = stats.linregress(x, y)
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = len(y)
    resid = y - (r.intercept + r.slope * x)
    s = math.sqrt((resid ** 2).sum() / (n - 2)) if n > 2 else float("nan")
    sxx = ((x - x.mean()) ** 2).sum()
    point = [r.intercept + r.slope * xf for xf in future_x]
    half = [Z95 * s * math.sqrt(1 + 1 / n + (xf - x.mean()) ** 2 / sxx) for xf in future_x]
    return point, half, "linear trend"


def fit(model, x, y, future_x):
    if model == "linear":
        return linear_model(x, y, future_x)
    return ma_model(y, model, len(future_x))


def mape(actual, predicted):
    terms = [abs((a - p) / a) for a, p in zip(actual, predicted) if a != 0]
    return sum(terms) / len(terms) * 100 if terms else None


CALENDAR_PERIOD = {"day": 7, "week": 52, "month": 12, "quarter": 4, "year": None}


def detect_period(y, freq):
    """forecast.rs's seasonal period: the calendar's cycle m, kept when, on the series minus its
    centred moving average (2 x m for even m), the correlation of each value with the one m
    earlier is above 2 / sqrt(pairs)."""
    m = CALENDAR_PERIOD[freq]
    if m is None or len(y) < 2 * m + 3:
        return None
    s = pd.Series(y, dtype="float64")
    if m % 2 == 0:
        cma = s.rolling(m + 1, center=True).apply(
            lambda w: (w[1:-1].sum() + 0.5 * (w[0] + w[-1])) / m, raw=True)
    else:
        cma = s.rolling(m, center=True).mean()
    rest = (s - cma).dropna().to_numpy()
    r = np.corrcoef(rest[m:], rest[:-m])[0, 1]
    return m if r > 2 / math.sqrt(len(rest) - m) else None


def rolling_origins(n, horizon, period):
    """The backtest plan of forecast.rs for a moving average or a line (which fit any history
    of two values): step = min(horizon, n // 4); origins one period apart ending at n - step,
    three seasonal cycles of them (three without a cycle), at least step, none before half of
    the history."""
    step = min(horizon, n // 4)
    if step == 0:
        return step, []
    wanted = max(3 * (period or 1), step)
    first_allowed = max(2, -(-n // 2))
    last = n - step
    if last < first_allowed:
        return step, []
    count = min(wanted, last - first_allowed + 1)
    return step, list(range(last + 1 - count, last + 1))


def backtest(model, x, y, horizon, period):
    """Pooled MAPE over every held-out point of every origin (models refitted at each)."""
    step, origins = rolling_origins(len(y), horizon, period)
    if not origins:
        return None
    actual, predicted = [], []
    for o in origins:
        p, _, _ = fit(model, x[:o], y[:o], x[o:o + step])
        actual += y[o:o + step]
        predicted += p
    return mape(actual, predicted)


def forecast_case(name, frame, date_column, target, horizon, method, freq, dates, x, y):
    if method == "linear":
        candidates = ["linear"]
    elif method == "auto":
        # Only for histories too short to backtest, where auto keeps the seed's moving average.
        candidates = [7, "linear"]
        assert not rolling_origins(len(y), horizon, None)[1], name
    else:
        candidates = [int(method.split(":")[1])]
    period = detect_period(y, freq)
    scores = [backtest(m, x, y, horizon, period) for m in candidates]
    best = min(range(len(candidates)),
               key=lambda i: (float("inf") if scores[i] is None else scores[i], i))
    future_x = [x[-1] + j for j in range(1, horizon + 1)]
    point, half, label = fit(candidates[best], x, y, future_x)
    return {
        "name": name, "frame": frame, "date_column": date_column, "target": target,
        "horizon": horizon, "method": method,
        "expected": {
            "forecast": point, "lower": [p - h for p, h in zip(point, half)],
            "upper": [p + h for p, h in zip(point, half)],
            "forecast_dates": step_dates(dates[-1], freq, horizon), "model_used": label,
            "frequency": freq, "backtest": scores[best], "history_values": y,
            "history_dates": dates,
        },
    }


def forecast_cases(rng):
    out = []
    days = [str(d.date()) for d in pd.date_range("2024-01-01", periods=60, freq="D")]
    sales = [round(200 + 2 * i + 30 * math.sin(i / 3) + e, 2)
             for i, e in enumerate(rng_values(rng, 0, 10, 60))]
    out.append(forecast_case("daily_dates_ma7", [col("day", "date", days),
                                                 col("sales", "float64", sales)],
                             "day", "sales", 5, "ma:7", "day", days, list(range(60)), sales))

    months = month_starts("2022-01-01", 36)
    rev = [round(15000 + 180 * i + e, 2) for i, e in enumerate(rng_values(rng, 0, 300, 36))]
    out.append(forecast_case("monthly_text_linear", [col("month", "str", [m[:7] for m in months]),
                                                     col("revenue", "float64", rev)],
                             "month", "revenue", 3, "linear", "month", months,
                             list(range(36)), rev))

    ends = [str(d.date()) for d in pd.date_range("2022-09-30", periods=16, freq="ME")]
    trendy = [round(1000 + 40 * i + e, 1) for i, e in enumerate(rng_values(rng, 0, 15, 16))]
    out.append(forecast_case("month_ends_linear_into_leap_february",
                             [col("month_end", "str", ends), col("bookings", "float64", trendy)],
                             "month_end", "bookings", 4, "linear", "month", ends,
                             list(range(16)), trendy))

    weeks = [str(d.date()) for d in pd.date_range("2024-11-04", periods=12, freq="7D")]
    signups = [int(v) for v in rng.integers(40, 60, 12)]
    out.append(forecast_case("weekly_ints_ma3_across_new_year",
                             [col("week", "date", weeks), col("signups", "int64", signups)],
                             "week", "signups", 4, "ma:3", "week", weeks, list(range(12)),
                             [float(v) for v in signups]))

    short_dates = ["2021", "2022", "2023"]
    short = [120.0, 135.5, 150.25]
    out.append(forecast_case("three_years_auto_no_backtest",
                             [col("year", "str", short_dates), col("value", "float64", short)],
                             "year", "value", 2, "auto", "year",
                             ["2021-01-01", "2022-01-01", "2023-01-01"], [0, 1, 2], short))
    return out


# --------------------------------------------------------------------------- spearman


def spearman_case(name, frame, target, excluded):
    df = frame_df(frame)
    compared = [c["name"] for c in frame
                if c["dtype"] in ("int64", "float64") and c["name"] != target
                and c["name"] not in excluded]
    correlations, p_values = {}, {}
    for c in compared:
        x, y = pairwise(df[target], df[c])
        res = stats.spearmanr(x, y)
        correlations[c] = float(res.statistic)
        p_values[c] = float(res.pvalue)
    cols = [target] + compared
    return {
        "name": name, "frame": frame, "target": target,
        "expected": {
            "correlations": correlations, "p_values": p_values,
            "top_factors": sorted(compared, key=lambda c: -abs(correlations[c])),
            "matrix": {"columns": cols,
                       "values": df[cols].corr(method="spearman").to_numpy()},
            "excluded": excluded,
        },
    }


def spearman_cases(rng):
    n = 60
    x = rng_values(rng, 0, 1, n, 3)
    # A monotone but curved relationship, ties (rounded values), an outlier and nulls.
    y = [round(math.exp(v) + e, 1) for v, e in zip(x, rng_values(rng, 0, 0.3, n, 3))]
    y[7] = 250.0
    z = [int(v) for v in rng.integers(0, 5, n)]
    w = rng_values(rng, 50, 10, n, 0)
    x[3] = None
    w[10] = None
    w[11] = None
    frame = [col("y", "float64", y), col("x", "float64", x), col("z", "int64", z),
             col("w", "float64", w), col("order_id", "int64", list(range(n))),
             col("one", "float64", [2.5] * n)]
    small = [col("a", "int64", [1, 2, 2, 3, 5, 5, 5, 8]),
             col("b", "float64", [0.5, 0.1, 0.9, 0.9, 1.5, 0.2, 0.7, 2.0])]
    return [spearman_case("curved_ties_outlier_nulls", frame, "y", ["order_id", "one"]),
            spearman_case("small_with_ties", small, "a", [])]


# --------------------------------------------------------------------------- shape, categories


def shape_cases(rng):
    """pandas skew()/kurt() and scipy normaltest on the non-null values."""
    series = [
        ("normal_500", rng_values(rng, 10, 2, 500, 4)),
        ("lognormal_200", [round(float(v), 4) for v in rng.lognormal(0, 0.8, 200)]),
        ("uniform_40_with_nulls", [round(float(v), 3) for v in rng.uniform(0, 1, 40)]
         + [None, None]),
        ("exactly_8", [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]),
        ("ints_25", [int(v) for v in rng.integers(0, 20, 25)]),
        ("three_values", [1.0, 2.0, 10.0]),
    ]
    out = []
    for name, values in series:
        s = as_float(values).dropna()
        nt = stats.normaltest(s.to_numpy()) if len(s) >= 8 else None
        out.append({"name": name, "values": clean(values), "expected": {
            "skewness": s.skew(), "kurtosis": s.kurt(),
            "normality_statistic": None if nt is None else float(nt.statistic),
            "normality_p_value": None if nt is None else float(nt.pvalue)}})
    return out


def categorical_cases():
    values = ["north", "south", None, "east", "north", "west", "south", "north", None, "east",
              "south", "a", "b", "c"]
    counts = pd.Series([v for v in values if v is not None]).value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    total = int(counts.sum())
    return [{"name": "regions", "values": values, "expected": {
        "count": total, "missing": values.count(None), "distinct": int(counts.size),
        "top_values": [{"value": k, "count": int(v), "percent": v / total * 100}
                       for k, v in ranked]}}]


# --------------------------------------------------------------------------- Mann-Kendall


def mann_kendall(x, y):
    """Textbook Mann-Kendall (Gilbert 1987, 16.4) written independently of the Rust code:
    S over all pairs, tie-corrected variance, continuity-corrected Z, two-sided normal p; Sen's
    slope and intercept from scipy.stats.theilslopes."""
    n = len(y)
    s = 0
    for i in range(n - 1):
        for j in range(i + 1, n):
            s += np.sign(y[j] - y[i])
    _, counts = np.unique(y, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18
    z = (s - 1) / math.sqrt(var) if s > 0 else (s + 1) / math.sqrt(var) if s < 0 else 0.0
    p = 2 * stats.norm.sf(abs(z))
    ts = stats.theilslopes(y, x)
    direction = "flat" if not p < 0.05 else ("up" if s > 0 else "down")
    fitted = [ts.intercept + ts.slope * xi for xi in x]
    return {"s": float(s), "p_value": p, "tau": s / (n * (n - 1) / 2), "slope": ts.slope,
            "intercept": ts.intercept, "direction": direction, "fitted": fitted,
            "percent_change": (fitted[-1] - fitted[0]) / abs(fitted[0]) * 100}


def mann_kendall_cases(rng):
    out = []
    months = [m[:7] for m in month_starts("2022-01-01", 36)]
    y = [round(100 + 1.5 * i + e, 0) for i, e in enumerate(rng_values(rng, 0, 8, 36))]
    y[20] = 400.0  # an outlier OLS would chase
    out.append({"name": "monthly_up_with_ties_and_outlier",
                "frame": [col("month", "str", months), col("v", "float64", y)],
                "date_column": "month", "target": "v",
                "expected": mann_kendall(list(range(36)), y)})
    flat = [float(v) for v in rng.integers(0, 4, 30)]
    out.append({"name": "many_ties_no_trend", "frame": [col("v", "float64", flat)],
                "date_column": None, "target": "v",
                "expected": mann_kendall(list(range(30)), flat)})
    down = [round(50 - 0.8 * i + e, 2) for i, e in enumerate(rng_values(rng, 0, 3, 25))]
    out.append({"name": "rows_down", "frame": [col("v", "float64", down)], "date_column": None,
                "target": "v", "expected": mann_kendall(list(range(25)), down)})
    return out


# --------------------------------------------------------------------------- IQR anomalies


def iqr_cases(rng):
    values = rng_values(rng, 100, 10, 120, 2)
    values[5], values[50], values[90] = 190.0, 20.0, 150.0
    values[60] = None
    out = []
    for k in (1.5, 3.0):
        s = as_float(values)
        q1, q3 = s.quantile(0.25), s.quantile(0.75)
        lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        idx = [int(i) for i in s.index[(s < lo) | (s > hi)]]
        out.append({"name": f"k_{k}", "values": clean(values), "k": k,
                    "expected": {"anomalies": idx, "lower": lo, "upper": hi}})
    return out


# --------------------------------------------------------------------------- interval widths


def interval_cases(rng):
    """statsmodels ETSModel (additive errors) analytical 95% interval widths, as ratios to the
    one-step width: sqrt(1 + sum c_j^2), which depends only on the smoothing parameters, stored
    with the ratios; smoothing_trend is the error-correction beta (alpha times Holt-Winters'
    beta)."""
    import warnings

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    t = np.arange(80)
    noise = np.asarray(rng_values(rng, 0, 1.5, 80, 4))
    y = pd.Series(50 + 0.5 * t + np.tile([5.0, -2.0, -4.0, 1.0], 20) + noise,
                  index=pd.date_range("2000-01-01", periods=80, freq="QS"))
    out = []
    for trend, damped, seasonal in [(None, False, None), ("add", False, None),
                                    ("add", True, None), (None, False, "add"),
                                    ("add", False, "add"), ("add", True, "add")]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ETSModel(y, error="add", trend=trend, damped_trend=damped, seasonal=seasonal,
                             seasonal_periods=4 if seasonal else None)
            res = model.fit(disp=False)
        # Fixed, clearly non-zero smoothing parameters (the fitted ones are near 0 on this
        # series), with the fitted initial states.
        chosen = {"smoothing_level": 0.4, "smoothing_trend": 0.12, "smoothing_seasonal": 0.25,
                  "damping_trend": 0.9}
        params = np.array([chosen.get(name, value)
                           for name, value in zip(model.param_names, res.params)])
        res = model.smooth(params)
        p = dict(zip(model.param_names, params))
        frame = res.get_prediction(start=80, end=80 + 9).summary_frame(alpha=0.05)
        width = (frame.pi_upper - frame.pi_lower).to_numpy()
        out.append({
            "name": f"trend={'damped' if damped else trend}, seasonal={seasonal}",
            "trend": "damped" if damped else (trend or "none"), "seasonal": seasonal or "none",
            "period": 4, "alpha": p["smoothing_level"], "beta_ets": p.get("smoothing_trend", 0.0),
            "gamma": p.get("smoothing_seasonal", 0.0), "phi": p.get("damping_trend", 1.0),
            "width_ratios": width / width[0]})
    return out


# --------------------------------------------------------------------------- isolation forest


def isolation_cases(rng):
    """scikit-learn IsolationForest (100 trees, 256 samples, random_state=0) scores,
    -score_samples, on 500 normal values with five clear outliers. Sightline's forest draws
    different random splits, so the test compares rankings and the clear outliers, not digits."""
    from sklearn.ensemble import IsolationForest
    values = rng_values(rng, 100, 10, 500, 2)
    outliers = {40: 200.0, 141: 220.0, 250: -20.0, 333: 0.0, 480: 250.0}
    for i, v in outliers.items():
        values[i] = v
    x = np.asarray(values).reshape(-1, 1)
    scores = -IsolationForest(random_state=0).fit(x).score_samples(x)
    return [{"name": "normal_500_five_outliers", "values": values,
             "clear_outliers": sorted(outliers), "sklearn_scores": scores}]


# --------------------------------------------------------------------------- sample database

SAMPLE_DB = HERE.parent.parent / "sample-data" / "sample.db"


def sample_transactions():
    """Daily totals of transactions.amount on sample-data/sample.db, and the planted days of
    sample-data/README.md: section 5 (three anomalous days) and section 6 (days holding one
    planted outlier transaction, which makes the day itself unusual for its weekday)."""
    import sqlite3
    with sqlite3.connect(f"file:{SAMPLE_DB}?mode=ro", uri=True) as con:
        rows = con.execute("SELECT transaction_date, SUM(amount) FROM transactions "
                           "GROUP BY transaction_date ORDER BY transaction_date").fetchall()
    return {
        "dates": [r[0] for r in rows],
        "amounts": [round(r[1], 6) for r in rows],
        "planted_anomalies": ["2024-03-15", "2025-07-04", "2025-11-28"],
        "planted_outlier_transaction_days": ["2024-06-10", "2025-09-15", "2023-05-08",
                                             "2025-01-21", "2023-09-19"],
    }


# --------------------------------------------------------------------------- seasonal series

# Public seasonal series that ship inside the statsmodels wheel (no network). Each keeps at
# most its last 20 years of months (a rule fixed before looking at results, to keep the
# statsmodels fits under a few seconds each); the daily series is complete.
SEASONAL_MAX_MONTHS = 240


def _statsmodels_file(*parts):
    import statsmodels
    return Path(statsmodels.__file__).resolve().parent.joinpath(*parts)


def _statsmodels_version():
    import statsmodels
    return statsmodels.__version__


def seasonal_sources():
    import statsmodels.api as sm
    out = []
    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    out.append(("co2_monthly", "Mauna Loa CO2 (statsmodels.datasets.co2, weekly -> monthly mean)",
                co2, 12))
    d = pd.read_csv(_statsmodels_file("datasets", "elec_equip", "elec_equip.csv"))
    idx = pd.to_datetime(d["DATE"], format="%b-%d-%Y")
    out.append(("elec_equip_monthly", "Euro-area electrical equipment orders index "
                "(statsmodels/datasets/elec_equip)",
                pd.Series(d.iloc[:, 1].to_numpy(float), idx).asfreq("MS"), 12))
    d = pd.read_csv(_statsmodels_file("tsa", "holtwinters", "tests", "results",
                                      "housing-data.csv"), index_col="DATE", parse_dates=True)
    out.append(("housing_starts_monthly", "US housing starts, not seasonally adjusted "
                "(statsmodels holtwinters test data, HOUSTNSA)", d["HOUSTNSA"].asfreq("MS"), 12))
    d = sm.datasets.elnino.load_pandas().data
    vals = d.drop(columns="YEAR").to_numpy(float).ravel()
    idx = pd.date_range(f"{int(d.YEAR.iloc[0])}-01-01", periods=len(vals), freq="MS")
    out.append(("elnino_monthly", "El Nino sea surface temperature (statsmodels.datasets.elnino)",
                pd.Series(vals, idx), 12))
    d = pd.read_csv(_statsmodels_file("tsa", "stl", "tests", "results", "mstl_elec_vic.csv"),
                    index_col="ds", parse_dates=True)
    out.append(("elec_demand_daily", "Victoria electricity demand, hourly -> daily total "
                "(statsmodels MSTL test data)", d["y"].resample("D").sum(), 7))
    trimmed = []
    for name, source, series, period in out:
        if period == 12:
            series = series.iloc[-SEASONAL_MAX_MONTHS:]
        trimmed.append((name, source, series.astype(float), period))
    return trimmed


def seasonal_cases():
    """For each series: the holdout (the last 12 months or 14 days), the holdout MAPE of every
    statsmodels ExponentialSmoothing configuration (trend none/additive/damped x seasonal
    additive/multiplicative, initialization_method="estimated", SSE fit), and of seasonal naive.
    The Rust test forecasts the holdout with method auto and must land within 1.25x of the best
    statsmodels MAPE and at or below seasonal naive."""
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    out = []
    for name, source, series, period in seasonal_sources():
        holdout = 12 if period == 12 else 14
        train = series.iloc[:-holdout].to_numpy(float)
        test = series.iloc[-holdout:].to_numpy(float)
        configs = {}
        for trend, damped in [(None, False), ("add", False), ("add", True)]:
            for seasonal in ["add", "mul"]:
                label = f"trend={'damped' if damped else trend}, seasonal={seasonal}"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = ExponentialSmoothing(
                        train, trend=trend, damped_trend=damped, seasonal=seasonal,
                        seasonal_periods=period, initialization_method="estimated").fit()
                configs[label] = mape(test.tolist(), res.forecast(holdout).tolist())
        naive = [train[len(train) - period + (k % period)] for k in range(holdout)]
        best = min(configs, key=configs.get)
        out.append({
            "name": name, "source": source, "period": period, "holdout": holdout,
            "frequency": "month" if period == 12 else "day",
            "dates": [str(d.date()) for d in series.index],
            "values": series.to_numpy(float),
            "statsmodels_mape": configs, "statsmodels_best": best,
            "statsmodels_best_mape": configs[best],
            "seasonal_naive_mape": mape(test.tolist(), naive),
        })
    return out


# --------------------------------------------------------------------------- driver


def build():
    rng = np.random.default_rng(SEED)
    import sklearn
    return clean({
        "generated_by": "tests/golden/make_goldens.py",
        "versions": {"pandas": pd.__version__, "numpy": np.__version__,
                     "scipy": scipy.__version__, "statsmodels": _statsmodels_version(),
                     "scikit-learn": sklearn.__version__},
        "seed": SEED,
        "describe": describe_cases(rng),
        "summary": summary_frames(rng),
        "correlation": correlation_cases(rng),
        "linregress": linregress_cases(rng),
        "trend": trend_cases(rng),
        "anomaly": anomaly_cases(rng),
        "forecast": forecast_cases(rng),
        "seasonal_forecast": seasonal_cases(),
        "spearman": spearman_cases(rng),
        "shape": shape_cases(rng),
        "categorical": categorical_cases(),
        "mann_kendall": mann_kendall_cases(rng),
        "iqr": iqr_cases(rng),
        "sample_transactions": sample_transactions(),
        "isolation_forest": isolation_cases(rng),
        "interval_widths": interval_cases(rng),
    })


def compare(want, got, path, problems):
    if isinstance(want, dict) and isinstance(got, dict):
        if set(want) != set(got):
            problems.append(f"{path}: keys differ: {sorted(set(want) ^ set(got))}")
        for k in want:
            if k in got and not (path == "" and k == "versions"):
                compare(want[k], got[k], f"{path}/{k}", problems)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            problems.append(f"{path}: {len(got)} items, file has {len(want)}")
        for i, (a, b) in enumerate(zip(want, got)):
            compare(a, b, f"{path}[{i}]", problems)
    elif isinstance(want, (int, float)) and isinstance(got, (int, float)) \
            and not isinstance(want, bool) and not isinstance(got, bool):
        if abs(want - got) > CHECK_TOLERANCE * max(abs(want), abs(got)):
            problems.append(f"{path}: recomputed {got!r}, file has {want!r}")
    elif want != got:
        problems.append(f"{path}: recomputed {got!r}, file has {want!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="recompute and compare with the committed analytics.json")
    args = parser.parse_args()
    data = build()
    if args.check:
        committed = json.loads(OUT.read_text())
        problems = []
        compare(committed, data, "", problems)
        if problems:
            print(f"{OUT} is out of date ({len(problems)} differences beyond "
                  f"{CHECK_TOLERANCE} relative):", file=sys.stderr)
            for p in problems[:50]:
                print("  " + p, file=sys.stderr)
            sys.exit(1)
        print(f"{OUT.name}: up to date ({CHECK_TOLERANCE} relative)")
        return
    OUT.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
