#!/usr/bin/env python3
"""The seed's way of answering, for the benchmark: sqlite3 → pandas → numpy/scipy → a Plotly-like
figure dict → JSON on stdout.

    python3 bench/python_peer.py --db bench/out/bench.db --sql "SELECT ..." --analysis anomaly

It runs the SQL given (the SQL Sightline wrote, so both sides do the same query), loads it with
pandas.read_sql_query, runs the analysis the seed describes and prints one JSON object shaped like
Sightline's answer (`sql`, `data`, `analytics_type`, `analysis_result`, `visualization`), plus
`timings_ms` of its phases. Column choices mirror Sightline's (target, dates, labels) so the two
sides compute the same numbers; bench/ask_vs_python.py checks that they do.

Analyses, doing the same work as Sightline's defaults:
  forecast     the model family Sightline's automatic choice picked (--model, from its
               model_used): statsmodels ExponentialSmoothing with the same trend, damping,
               seasonality and period for Holt-Winters / Holt / simple exponential smoothing;
               the 7-period moving average, linear trend (scipy.stats.linregress) or seasonal
               naive otherwise; 95% intervals. The peer is spared the choice itself (Sightline
               backtests every candidate; the peer fits only the winner), so its time is a
               lower bound.
  anomaly      on a dated series (one row per date, as Sightline's default): the same
               seasonal-residual method, written in pandas (a centred rolling median level, the
               median seasonal ratio or difference per position of the cycle, robust z of the
               residual with median and MAD, Bonferroni threshold); the seasonal period is the
               one Sightline detected (--season-length). Otherwise z-scores with ddof=1
               (scipy.stats.zscore), |z| > threshold
  summary      df.describe() of every numeric column, 1.5×IQR outliers, missing percent
  correlation  df.corr() and scipy.stats.pearsonr p-values against the target
  trend        scipy.stats.linregress on the period index
"""

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

T_IMPORT = time.perf_counter()

Z_95 = 1.959963984540054
WEBGL_POINTS = 5000


def finite(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


def is_id_like(df, name):
    lower = name.lower()
    if not (lower == "id" or lower.endswith("_id") or lower.endswith(" id")):
        return False
    s = df[name]
    if not pd.api.types.is_integer_dtype(s):
        return False
    s = s.dropna()
    return len(s) > 0 and s.is_unique


def numeric_columns(df):
    return [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


def date_columns(df):
    out = []
    for c in df.columns:
        if df[c].dtype == object:
            sample = df[c].dropna().head(20)
            if len(sample) and pd.to_datetime(sample, errors="coerce", format="mixed").notna().all():
                out.append(c)
    return out


def pick_target(df, given, exclude=()):
    if given:
        return given
    nums = [c for c in numeric_columns(df) if c not in exclude and not is_id_like(df, c)]
    if not nums:
        raise SystemExit("no numeric column to analyse")
    return nums[-1]


def layout(title, x, y):
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x}, "automargin": True},
        "yaxis": {"title": {"text": y}, "automargin": True},
        "hovermode": "closest",
        "showlegend": True,
        "margin": {"t": 60, "r": 20, "b": 60, "l": 70},
    }



def anomaly_figure(values, labels, result, target, x_title):
    """The series as a line and the anomalies as red markers, as Sightline draws them."""
    n = len(values)
    return {
        "data": [
            {"type": scatter_type(n), "mode": "lines" if n > 200 else "lines+markers", "name": target,
             "x": labels.tolist(), "y": [finite(v) for v in values.tolist()]},
            {"type": "scatter", "mode": "markers", "name": "Anomaly", "x": result["anomaly_labels"],
             "y": result["anomaly_values"], "marker": {"color": "#d62728", "size": 11}},
        ],
        "layout": layout(f"{target}: {len(result['anomalies'])} anomalies", x_title, target),
    }

def scatter_type(n):
    return "scattergl" if n > WEBGL_POINTS else "scatter"


# ---------------------------------------------------------------- time series helpers


def frequency(dates):
    """day, week, month, quarter or year from the median spacing of sorted unique dates."""
    if len(dates) < 2:
        return "day"
    gap = float(np.median(np.diff(dates.values).astype("timedelta64[D]").astype(float)))
    for name, days in (("day", 1), ("week", 7), ("month", 30.4), ("quarter", 91.3), ("year", 365.25)):
        if gap <= days * 1.5:
            return name
    return "year"


def period_index(dates, freq):
    if freq == "day":
        return (dates - pd.Timestamp("1970-01-01")).dt.days.astype(float).values
    if freq == "week":
        return ((dates - pd.Timestamp("1970-01-01")).dt.days // 7).astype(float).values
    months = dates.dt.year * 12 + dates.dt.month - 1
    if freq == "month":
        return months.astype(float).values
    if freq == "quarter":
        return (months // 3).astype(float).values
    return dates.dt.year.astype(float).values


def step(last, freq, k):
    offset = {
        "day": pd.DateOffset(days=k),
        "week": pd.DateOffset(weeks=k),
        "month": pd.DateOffset(months=k),
        "quarter": pd.DateOffset(months=3 * k),
        "year": pd.DateOffset(years=k),
    }[freq]
    return (last + offset).date().isoformat()


def dated_series(df, date_col, target):
    s = df[[date_col, target]].dropna()
    s = s.assign(**{date_col: pd.to_datetime(s[date_col], format="mixed")})
    s = s.groupby(date_col, sort=True)[target].sum()
    dates = pd.Series(s.index)
    freq = frequency(dates)
    return dates, period_index(dates, freq), s.values.astype(float), freq


def mape(actual, predicted):
    mask = actual != 0
    if not mask.any():
        return None
    return float(np.mean(np.abs((actual[mask] - predicted[mask]) / actual[mask])) * 100.0)


def ma_predict(y, future_n, window=7):
    w = min(window, len(y))
    level = float(np.mean(y[-w:]))
    if len(y) <= w:
        sigma = float(np.std(y, ddof=1)) if len(y) > 1 else float("nan")
    else:
        rolling = pd.Series(y).rolling(w).mean().shift(1).values[w:]
        sigma = float(np.sqrt(np.mean((y[w:] - rolling) ** 2)))
    half = [Z_95 * sigma * math.sqrt(h) for h in range(1, future_n + 1)]
    return np.full(future_n, level), np.array(half), f"{w}-period moving average"


def linear_predict(x, y, future_x):
    if len(np.unique(x)) < 2:
        return None
    fit = stats.linregress(x, y)
    n = len(y)
    resid = y - (fit.intercept + fit.slope * x)
    resid_std = math.sqrt(np.sum(resid**2) / (n - 2)) if n > 2 else float("nan")
    sxx = float(np.sum((x - x.mean()) ** 2))
    point = fit.intercept + fit.slope * future_x
    half = Z_95 * resid_std * np.sqrt(1 + 1 / n + (future_x - x.mean()) ** 2 / sxx)
    return point, half, "linear trend"


def snaive_predict(y, future_n, m):
    diffs = y[m:] - y[:-m]
    sigma = math.sqrt(float(np.mean(diffs**2)))
    point = np.array([y[len(y) - m + (k - 1) % m] for k in range(1, future_n + 1)])
    half = np.array([Z_95 * sigma * math.sqrt((k - 1) // m + 1) for k in range(1, future_n + 1)])
    return point, half, f"seasonal naive (period {m})"


def es_predict(y, future_n, spec):
    """statsmodels ExponentialSmoothing of the family Sightline chose; the interval from the
    in-sample one-step residuals (the fit's SSE), widening with the horizon as Sightline's does
    for simple smoothing: a lower bound on the work, not the same interval formula."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    trend, damped, seasonal, period = spec
    model = ExponentialSmoothing(
        y,
        trend=trend,
        damped_trend=damped,
        seasonal=seasonal,
        seasonal_periods=period if seasonal else None,
        initialization_method="estimated",
    )
    fit = model.fit()
    point = np.asarray(fit.forecast(future_n), dtype=float)
    sigma = math.sqrt(fit.sse / len(y))
    half = np.array([Z_95 * sigma * math.sqrt(k) for k in range(1, future_n + 1)])
    return point, half, None


def parse_model(text):
    """Sightline's model_used as ("ma"|"linear"|"snaive"|"es", details)."""
    if text.endswith("moving average"):
        return "ma", int(text.split("-")[0])
    if text == "linear trend":
        return "linear", None
    if text.startswith("seasonal naive"):
        return "snaive", int(text.rstrip(")").split()[-1])
    damped = "damped" in text
    trend = "add" if "trend" in text and "no trend" not in text else None
    seasonal = "mul" if "multiplicative" in text else ("add" if "additive seasonality" in text else None)
    period = int(text.rstrip(")").split()[-1]) if seasonal else None
    if text == "simple exponential smoothing" or text.startswith("Holt"):
        return "es", (trend, damped, seasonal, period)
    raise SystemExit(f"unknown model {text!r}")


def forecast(df, args):
    target = pick_target(df, args.target, exclude=(args.date_col,))
    dates, x, y, freq = dated_series(df, args.date_col, target)
    horizon = args.horizon
    future_x = x[-1] + np.arange(1, horizon + 1, dtype=float)
    kind, detail = parse_model(args.model or "7-period moving average")
    if kind == "ma":
        point, half, name = ma_predict(y, horizon, detail)
    elif kind == "linear":
        point, half, name = linear_predict(x, y, future_x)
    elif kind == "snaive":
        point, half, name = snaive_predict(y, horizon, detail)
    else:
        point, half, _ = es_predict(y, horizon, detail)
        name = args.model
    n = len(y)
    last = dates.iloc[-1]
    fdates = [step(last, freq, k) for k in range(1, horizon + 1)]
    lower, upper = point - half, point + half
    history_dates = [d.date().isoformat() for d in dates]
    result = {
        "forecast": [finite(v) for v in point],
        "forecast_dates": fdates,
        "model_used": name,
        "interpretation": f"Forecast average: {np.mean(point):.2f}",
        "lower": [finite(v) for v in lower],
        "upper": [finite(v) for v in upper],
        "horizon": horizon,
        "frequency": freq,
        "history_dates": history_dates,
        "history_values": [finite(v) for v in y],
    }
    fig = {
        "data": [
            {"type": scatter_type(n), "mode": "lines", "name": target, "x": history_dates, "y": result["history_values"]},
            {"type": "scatter", "mode": "lines", "name": "95% interval", "x": fdates + fdates[::-1],
             "y": [finite(v) for v in upper] + [finite(v) for v in lower[::-1]], "fill": "toself"},
            {"type": "scatter", "mode": "lines+markers", "name": f"Forecast ({name})", "x": fdates,
             "y": result["forecast"], "line": {"dash": "dash"}},
        ],
        "layout": layout(f"{target}: {horizon}-period forecast", "Date", target),
    }
    return result, fig


def trend(df, args):
    target = pick_target(df, args.target, exclude=(args.date_col,))
    dates, x, y, freq = dated_series(df, args.date_col, target)
    fit = stats.linregress(x, y)
    fitted = fit.intercept + fit.slope * x
    direction = "flat" if fit.pvalue >= 0.05 else ("up" if fit.slope > 0 else "down")
    start, end = fitted[0], fitted[-1]
    pct = (end - start) / abs(start) * 100 if start != 0 else None
    history_dates = [d.date().isoformat() for d in dates]
    result = {
        "direction": direction,
        "slope_per_period": finite(fit.slope),
        "percent_change": finite(pct),
        "p_value": finite(fit.pvalue),
        "method": "linear regression",
        "interpretation": f"{target} trends {direction}",
        "history_dates": history_dates,
        "history_values": [finite(v) for v in y],
        "fitted": [finite(v) for v in fitted],
    }
    kind = scatter_type(len(y))
    fig = {
        "data": [
            {"type": kind, "mode": "lines+markers", "name": target, "x": history_dates, "y": result["history_values"]},
            {"type": kind, "mode": "lines", "name": f"Trend ({direction})", "x": history_dates, "y": result["fitted"]},
        ],
        "layout": layout(f"{target}: trend {direction}", "Date", target),
    }
    return result, fig


MAD_TO_SD = 1.482602218505602


def seasonal_residual(df, args, date_col, target):
    """Sightline's seasonal-residual method in pandas: the same decomposition and rule."""
    values = df[target].astype(float)
    day = pd.to_datetime(df[date_col], format="mixed")
    ok = values.notna() & day.notna()
    by_date = values[ok].groupby(day[ok]).sum().sort_index()
    freq = frequency(pd.Series(by_date.index))
    alias = {"day": "D", "week": "W", "month": "MS", "quarter": "QS", "year": "YS"}[freq]
    if freq == "week":
        alias = "W-" + by_date.index[0].day_name()[:3].upper()
    grid = by_date.asfreq(alias)
    observed = grid.notna().to_numpy()
    y = grid.interpolate().to_numpy()
    n = len(y)
    m = args.season_length or 1
    half = max(m, 3)
    level = pd.Series(y).rolling(2 * half + 1, center=True, min_periods=1).median().to_numpy()
    baseline = level
    if m >= 2 and n >= 2 * m:
        multiplicative = bool((y > 0).all() and (level > 0).all())
        ratio = y / level if multiplicative else y - level
        profile = pd.Series(ratio).groupby(np.arange(n) % m).median().to_numpy()
        centre = profile.mean()
        s = profile[np.arange(n) % m]
        baseline = level * s / centre if multiplicative else level + s - centre
    residual = y - baseline
    scored = residual[observed]
    centre = float(np.median(scored))
    scale = MAD_TO_SD * float(np.median(np.abs(scored - centre)))
    threshold = args.threshold if args.threshold_given else float(stats.norm.isf(0.05 / (2 * len(scored))))
    z = (residual - centre) / scale if scale > 0 else np.zeros(n)
    slot = grid.index.get_indexer(day)
    row_z = np.where(ok.to_numpy() & (slot >= 0), z[np.clip(slot, 0, n - 1)], 0.0)
    idx = np.flatnonzero(np.abs(row_z) > threshold)
    return idx, row_z, threshold, baseline[np.clip(slot, 0, n - 1)][idx] + centre


def anomaly(df, args):
    dates = date_columns(df)
    if args.method == "seasonal":
        target = pick_target(df, args.target, exclude=tuple(dates))
        values = df[target].astype(float)
        idx, _, threshold, expected = seasonal_residual(df, args, dates[0], target)
        labels = df[dates[0]].astype(str)
        result = {
            "anomalies": idx.tolist(),
            "anomaly_values": [finite(v) for v in values.values[idx]],
            "threshold_used": threshold,
            "interpretation": f"Found {len(idx)} anomalies beyond {threshold:.2f} robust standard deviations",
            "anomaly_labels": labels.values[idx].tolist(),
            "method": "seasonal-residual",
            "mean": finite(values.mean()),
            "std": finite(values.std(ddof=1)),
            "expected_values": [finite(v) for v in expected],
            "seasonal_period": args.season_length,
        }
        return result, anomaly_figure(values, labels, result, target, dates[0])
    label_col = dates[0] if dates else next((c for c in df.columns if df[c].dtype == object), None)
    target = pick_target(df, args.target, exclude=tuple(dates))
    values = df[target].astype(float)
    z = stats.zscore(values, ddof=1, nan_policy="omit")
    mask = np.abs(np.asarray(z)) > args.threshold
    idx = np.flatnonzero(mask)
    labels = df[label_col].astype(str) if label_col else pd.Series(np.arange(len(df))).astype(str)
    anomaly_values = values.values[idx]
    mean, std = float(values.mean()), float(values.std(ddof=1))
    result = {
        "anomalies": idx.tolist(),
        "anomaly_values": [finite(v) for v in anomaly_values],
        "threshold_used": args.threshold,
        "interpretation": f"Found {len(idx)} anomalies beyond {args.threshold:g} standard deviations",
        "anomaly_labels": labels.values[idx].tolist(),
        "method": "z-score",
        "mean": finite(mean),
        "std": finite(std),
    }
    return result, anomaly_figure(values, labels, result, target, label_col or "Row")


def describe_dict(d):
    keys = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]
    out = {k: finite(d[k]) for k in keys}
    out["count"] = int(d["count"])
    return out


def summary(df, args):
    nums = numeric_columns(df)
    target = args.target or next((c for c in nums if not is_id_like(df, c)), nums[0] if nums else None)
    if target is None:
        raise SystemExit("no numeric column to summarise")
    desc = df[nums].describe()
    per_column = {c: describe_dict(desc[c]) for c in nums}
    outliers = {}
    for c in nums:
        q1, q3 = desc[c]["25%"], desc[c]["75%"]
        iqr = q3 - q1
        lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
        col = df[c]
        outliers[c] = np.flatnonzero(((col < lo) | (col > hi)).values).tolist()
    missing = {c: float(df[c].isna().mean() * 100) for c in df.columns}
    d = per_column[target]
    result = {
        "summary_stats": d,
        "outliers": outliers,
        "missing_data": missing,
        "key_insights": f"{target}: mean {d['mean']:.2f}, median {d['50%']:.2f}, {len(outliers[target])} outliers",
        "per_column": per_column,
        "target": target,
    }
    values = [finite(v) for v in df[target].astype(float).tolist()]
    fig = {
        "data": [
            {"type": "histogram", "name": target, "x": values},
            {"type": "box", "name": target, "x": values, "xaxis": "x2", "yaxis": "y2", "boxpoints": "outliers",
             "orientation": "h"},
        ],
        "layout": layout(f"Distribution of {target}", target, "Count"),
    }
    return result, fig


def correlation(df, args):
    nums = numeric_columns(df)
    target = args.target
    if target is None:
        raise SystemExit("correlation needs --target")
    corr = df[nums].corr()  # the seed's full matrix
    factors = [c for c in nums if c != target and not is_id_like(df, c) and df[c].nunique(dropna=True) > 1]
    correlations, p_values = {}, {}
    for c in factors:
        pair = df[[target, c]].dropna()
        r, p = stats.pearsonr(pair[target], pair[c])
        correlations[c] = finite(r)
        p_values[c] = finite(p)
    top = sorted(factors, key=lambda c: -abs(correlations[c] or 0.0))
    matrix_cols = [target] + factors
    z = [[finite(corr.loc[a, b]) for b in matrix_cols] for a in matrix_cols]
    result = {
        "correlations": correlations,
        "top_factors": top,
        "interpretation": "Top correlated factors: " + ", ".join(top[:3]),
        "methodology": "Pearson correlation coefficient",
        "target": target,
        "p_values": p_values,
        "matrix": {"columns": matrix_cols, "values": z},
        "n": int(df[target].notna().sum()),
    }
    fig = {
        "data": [{"type": "heatmap", "x": matrix_cols, "y": matrix_cols, "z": z, "zmin": -1, "zmax": 1,
                  "colorscale": "RdBu"}],
        "layout": layout(f"What moves with {target}", "", ""),
    }
    return result, fig


ANALYSES = {"forecast": forecast, "trend": trend, "anomaly": anomaly, "summary": summary, "correlation": correlation}


def main():
    ap = argparse.ArgumentParser(description="The seed's way: sqlite3 → pandas → scipy → figure → JSON.")
    ap.add_argument("--db", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--analysis", required=True, choices=sorted(ANALYSES))
    ap.add_argument("--target")
    ap.add_argument("--date-col")
    ap.add_argument("--horizon", type=int, default=3)
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--model", help="forecast: Sightline's model_used, whose family the peer fits")
    ap.add_argument("--method", default="zscore", choices=["zscore", "seasonal"], help="anomaly method")
    ap.add_argument("--season-length", type=int, help="anomaly (seasonal): periods per cycle")
    ap.add_argument("--max-rows", type=int, default=1000)
    args = ap.parse_args()
    args.threshold_given = args.threshold is not None
    if args.threshold is None:
        args.threshold = 3.0

    t = {"import": (T_IMPORT - T0) * 1000}
    t1 = time.perf_counter()
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    df = pd.read_sql_query(args.sql, con)
    con.close()
    t2 = time.perf_counter()
    t["query_and_load"] = (t2 - t1) * 1000
    if args.analysis in ("forecast", "trend") and not args.date_col:
        dates = date_columns(df)
        if not dates:
            raise SystemExit("no date column")
        args.date_col = dates[0]
    result, fig = ANALYSES[args.analysis](df, args)
    t3 = time.perf_counter()
    t["analysis_and_figure"] = (t3 - t2) * 1000
    head = df.head(args.max_rows)
    rows = json.loads(head.to_json(orient="values"))
    answer = {
        "sql": args.sql,
        "data": {"columns": list(df.columns), "rows": rows, "row_count": len(df), "truncated": len(df) > args.max_rows},
        "analytics_performed": True,
        "analytics_type": args.analysis,
        "analysis_result": result,
        "visualization": fig,
    }
    text = json.dumps(answer, allow_nan=False)
    t4 = time.perf_counter()
    t["serialize"] = (t4 - t3) * 1000
    # Timings go at the end so the serialised answer is complete work, not a partial one.
    sys.stdout.write(text[:-1] + ', "timings_ms": ' + json.dumps(t) + "}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
