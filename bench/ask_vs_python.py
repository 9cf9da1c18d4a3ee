#!/usr/bin/env python3
"""End-to-end benchmark: `sightline ask --json` against the seed's way (Python: sqlite3 → pandas →
scipy → figure → JSON), on the same questions, the same SQL and the same database, in one run.

    python3 bench/make_bench_db.py
    cargo build --release -p sightline
    python3 bench/ask_vs_python.py [--runs 7] [--bin PATH] [--db PATH] [--only SUBSTRING]

For each question it first runs Sightline once, checks the answer is OK and prints its SQL; then
runs bench/python_peer.py once on that SQL and checks both sides computed the same numbers (a
benchmark that compares different work is worthless); then alternates timed runs of the two
processes (order flipped every run, so drift hits both alike). Wall time is that of the whole
process, as a user would see it, with stdout captured in full by both.

Prints a Markdown table and writes it to bench/out/ask_vs_python.md.
"""

import argparse
import json
import math
import os
import platform
import hashlib
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEER = os.path.join(HERE, "python_peer.py")

QUESTIONS = [
    "Show monthly revenue for last year and forecast next 3 months",
    "Find anomalies in daily revenue",
    "Identify outliers in order amounts",
    "What factors correlate with customer churn?",
    "Statistical summary of order amounts",
]


def default_bin():
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "release", "sightline")


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, p


def parse(p, who):
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(f"{who} printed no JSON (exit {p.returncode}):\n{p.stderr[-2000:]}\n")
        return None


def percentile(xs, q):
    """Linear interpolation between closest ranks (numpy's default)."""
    s = sorted(xs)
    if len(s) == 1:
        return s[0]
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


# ------------------------------------------------------------------------- same numbers?


def close(a, b, rel=1e-6, abs_=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


SMOOTHING_REL = 0.05


def is_smoothing(model_used):
    return model_used == "simple exponential smoothing" or model_used.startswith("Holt")


def compare(kind, ours, theirs):
    """Mismatches between Sightline's analysis_result and the peer's, as readable lines."""
    bad = []

    def num(label, a, b, rel=1e-6, abs_=1e-9):
        if not close(a, b, rel, abs_):
            bad.append(f"{label}: sightline {a} vs python {b}")

    if kind == "forecast":
        if ours["model_used"] != theirs["model_used"]:
            bad.append(f"model_used: sightline {ours['model_used']!r} vs python {theirs['model_used']!r}")
        if ours["forecast_dates"] != theirs["forecast_dates"]:
            bad.append(f"forecast_dates: {ours['forecast_dates']} vs {theirs['forecast_dates']}")
        if len(ours["history_values"]) != len(theirs["history_values"]):
            bad.append(f"history length: {len(ours['history_values'])} vs {len(theirs['history_values'])}")
        for i, (a, b) in enumerate(zip(ours["history_values"], theirs["history_values"])):
            num(f"history_values[{i}]", a, b, rel=1e-9)
        if is_smoothing(ours["model_used"]):
            # Two optimisers (Nelder-Mead here, statsmodels' L-BFGS-B) need not land on the
            # same parameters: the same model family must give close forecasts.
            for i, (a, b) in enumerate(zip(ours["forecast"], theirs["forecast"])):
                num(f"forecast[{i}] (within {SMOOTHING_REL:.0%})", a, b, rel=SMOOTHING_REL)
        else:
            for i, (a, b) in enumerate(zip(ours["forecast"], theirs["forecast"])):
                num(f"forecast[{i}]", a, b)
            for i, (a, b) in enumerate(zip(ours["lower"], theirs["lower"])):
                num(f"lower[{i}]", a, b, rel=1e-4)
    elif kind == "anomaly":
        a, b = ours["anomalies"], theirs["anomalies"]
        if a != b:
            only_a = sorted(set(a) - set(b))[:5]
            only_b = sorted(set(b) - set(a))[:5]
            bad.append(f"anomalies: sightline {len(a)} vs python {len(b)} (only sightline {only_a}, only python {only_b})")
        num("mean", ours.get("mean"), theirs.get("mean"), rel=1e-9)
        num("std", ours.get("std"), theirs.get("std"), rel=1e-9)
        if ours.get("anomaly_labels") != theirs.get("anomaly_labels"):
            bad.append("anomaly_labels differ")
        if ours.get("method") != theirs.get("method"):
            bad.append(f"method: sightline {ours.get('method')} vs python {theirs.get('method')}")
        num("threshold_used", ours.get("threshold_used"), theirs.get("threshold_used"), rel=1e-9)
        for i, (x, y) in enumerate(zip(ours.get("expected_values", []), theirs.get("expected_values", []))):
            num(f"expected_values[{i}]", x, y, rel=1e-9)
    elif kind == "summary":
        if ours["target"] != theirs["target"]:
            bad.append(f"target: {ours['target']} vs {theirs['target']}")
        for k, v in ours["summary_stats"].items():
            num(f"summary_stats.{k}", v, theirs["summary_stats"].get(k), rel=1e-9)
        for col, rows in ours["outliers"].items():
            other = theirs["outliers"].get(col)
            if other is None or len(rows) != len(other):
                bad.append(f"outliers[{col}]: {len(rows)} vs {None if other is None else len(other)}")
    elif kind == "correlation":
        common = [c for c in ours["correlations"] if c in theirs["correlations"]]
        missing = set(ours["correlations"]) ^ set(theirs["correlations"])
        if missing:
            bad.append(f"compared columns differ: {sorted(missing)}")
        for c in common:
            num(f"r[{c}]", ours["correlations"][c], theirs["correlations"][c], rel=1e-9)
            num(f"p[{c}]", ours["p_values"][c], theirs["p_values"][c], rel=1e-4, abs_=1e-300)
        order = [c for c in ours["top_factors"] if c in common]
        if order != [c for c in theirs["top_factors"] if c in common]:
            bad.append("top_factors order differs")
    elif kind == "trend":
        num("slope_per_period", ours["slope_per_period"], theirs["slope_per_period"])
        num("p_value", ours["p_value"], theirs["p_value"], rel=1e-4, abs_=1e-300)
        if ours["direction"] != theirs["direction"]:
            bad.append(f"direction: {ours['direction']} vs {theirs['direction']}")
    return bad


def headline(kind, r):
    """One short fact of the result, to show both sides did the work."""
    if kind == "forecast":
        return f"{r['model_used']}, next {r['forecast'][0]:,.0f}"
    if kind == "anomaly" and r.get("method") == "seasonal-residual":
        return f"{len(r['anomalies'])} anomalies, seasonal residual (period {r.get('seasonal_period')})"
    if kind == "anomaly":
        return f"{len(r['anomalies'])} anomalies"
    if kind == "summary":
        return f"mean {r['summary_stats']['mean']:,.4f}"
    if kind == "correlation":
        top = r["top_factors"][0] if r["top_factors"] else "-"
        return f"top {top} r={r['correlations'].get(top, float('nan')):.4f}"
    if kind == "trend":
        return f"{r['direction']}, slope {r['slope_per_period']:.4g}"
    return ""


# ------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7, help="timed runs of each side per question (default 7)")
    ap.add_argument("--bin", default=default_bin(), help="the sightline binary (default: release build)")
    ap.add_argument("--db", default=os.path.join(HERE, "out", "bench.db"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the peer")
    ap.add_argument("--only", help="run only the questions containing this text")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "ask_vs_python.md"))
    args = ap.parse_args()

    if not os.path.isfile(args.db):
        sys.exit(f"{args.db} is missing: run python3 bench/make_bench_db.py first")
    if not os.access(args.bin, os.X_OK):
        sys.exit(f"{args.bin} is missing: run cargo build --release -p sightline first (or pass --bin)")
    db = os.path.abspath(args.db)
    # Run a private copy, so a rebuild of the binary during the run cannot mix two versions.
    private = tempfile.mkdtemp(prefix="sightline-bench-")
    binary = os.path.join(private, "sightline")
    shutil.copy2(args.bin, binary)
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(args.bin)))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    questions = [q for q in QUESTIONS if not args.only or args.only.lower() in q.lower()]
    load_before = os.getloadavg()

    # ---- check every question once, get its SQL, and check both sides agree
    plans = []
    all_ok = True
    for q in questions:
        s_cmd = [binary, "ask", "--db", db, "--json", q]
        _, p = timed(s_cmd)
        ans = parse(p, "sightline")
        if not ans or ans.get("error") or p.returncode != 0:
            print(f"\n✗ {q!r}: sightline did not answer OK: {ans and ans.get('error')}")
            all_ok = False
            continue
        kind = ans["analytics_type"]
        print(f"\n✓ {q!r}\n  analysis: {kind}, rows: {ans['data']['row_count']:,}\n  SQL: {ans['sql']}")
        peer_cmd = [args.python, PEER, "--db", db, "--sql", ans["sql"], "--analysis", kind]
        ar = ans["analysis_result"]
        if kind in ("summary", "correlation") and ar.get("target"):
            peer_cmd += ["--target", ar["target"]]
        if kind == "forecast":
            peer_cmd += ["--horizon", str(ar["horizon"]), "--model", ar["model_used"]]
        if kind == "anomaly" and ar["method"] == "seasonal-residual":
            peer_cmd += ["--method", "seasonal"]
            if ar.get("seasonal_period"):
                peer_cmd += ["--season-length", str(ar["seasonal_period"])]
        elif kind == "anomaly":
            peer_cmd += ["--threshold", str(ar["threshold_used"])]
        _, pp = timed(peer_cmd)
        peer = parse(pp, "python peer")
        if not peer:
            all_ok = False
            continue
        mismatches = compare(kind, ar, peer["analysis_result"])
        if peer["data"]["row_count"] != ans["data"]["row_count"]:
            mismatches.insert(0, f"row_count: {ans['data']['row_count']} vs {peer['data']['row_count']}")
        print(f"  sightline: {headline(kind, ar)}\n  python:    {headline(kind, peer['analysis_result'])}")
        if mismatches:
            all_ok = False
            print("  MISMATCH:\n    " + "\n    ".join(mismatches))
        else:
            print("  same numbers: yes")
        plans.append({"q": q, "kind": kind, "rows": ans["data"]["row_count"], "s_cmd": s_cmd,
                      "p_cmd": peer_cmd, "same": not mismatches, "mismatches": mismatches,
                      "headline": headline(kind, ar), "sql": ans["sql"]})

    # ---- timed runs, alternating
    import_cmd = [args.python, "-c", "import pandas, scipy, scipy.stats"]
    import_times = []
    for plan in plans:
        plan["s_t"], plan["p_t"], plan["stages"], plan["peer_phases"] = [], [], [], []
        for i in range(args.runs):
            order = [("s", plan["s_cmd"]), ("p", plan["p_cmd"])]
            if i % 2:
                order.reverse()
            for who, cmd in order:
                t, p = timed(cmd)
                if p.returncode != 0:
                    sys.exit(f"run failed ({shlex.join(cmd)[:200]}...): {p.stderr[-1000:]}")
                if who == "s":
                    plan["s_t"].append(t)
                    stages = json.loads(p.stdout).get("stages", [])
                    plan["stages"].append({s["name"]: s["ms"] for s in stages})
                else:
                    plan["p_t"].append(t)
                    plan["peer_phases"].append(json.loads(p.stdout).get("timings_ms", {}))
        t, _ = timed(import_cmd)
        import_times.append(t)
        print(f"  timed {plan['q']!r}: sightline {statistics.median(plan['s_t']):.3f}s, "
              f"python {statistics.median(plan['p_t']):.3f}s")
    while len(import_times) < args.runs:
        t, _ = timed(import_cmd)
        import_times.append(t)
    load_after = os.getloadavg()

    # ---- report
    lines = []
    lines.append(f"`sightline ask --json` vs the seed's way (python3 sqlite3 → pandas → scipy → figure → JSON), "
                 f"{args.runs} alternating runs each, wall time of the whole process.")
    lines.append("")
    lines.append(f"Binary: {args.bin} (sha256 {digest}…, built {built}; work tree at commit {commit or '?'}).")
    lines.append("")
    lines.append(f"Machine: {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, Python "
                 f"{platform.python_version()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.")
    lines.append("")
    lines.append("| question | analysis | rows loaded | sightline median / p90 (s) | python median / p90 (s) "
                 "| ratio python/sightline (median) | same numbers |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    ratios = []
    for plan in plans:
        sm, sp = statistics.median(plan["s_t"]), percentile(plan["s_t"], 0.9)
        pm, pp = statistics.median(plan["p_t"]), percentile(plan["p_t"], 0.9)
        ratio = pm / sm
        ratios.append(ratio)
        same = "yes (" + plan["headline"] + ")" if plan["same"] else "NO: " + "; ".join(plan["mismatches"][:3])
        lines.append(f"| {plan['q']} | {plan['kind']} | {plan['rows']:,} | {sm:.3f} / {sp:.3f} | {pm:.3f} / {pp:.3f} "
                     f"| {ratio:.1f}× | {same} |")
    im, ip = statistics.median(import_times), percentile(import_times, 0.9)
    lines.append(f"| `python3 -c \"import pandas, scipy\"` alone | | | | {im:.3f} / {ip:.3f} | | |")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        lines.append("")
        lines.append(f"Geometric mean ratio: **{geo:.1f}×**; smallest {min(ratios):.1f}×, largest {max(ratios):.1f}× "
                     f"(aim: at least 4× on every question: {'met' if min(ratios) >= 4 else 'NOT met'}).")
    lines.append("")
    lines.append("Where the time goes (medians, ms). Sightline: its `stages`; python: the peer's phases "
                 "(import = pandas/numpy/scipy imports).")
    lines.append("")
    lines.append("| question | sightline stages | python phases |")
    lines.append("| --- | --- | --- |")
    for plan in plans:
        def med(dicts):
            keys = list(dicts[0]) if dicts else []
            return ", ".join(f"{k} {statistics.median(d.get(k, 0.0) for d in dicts):.0f}" for k in keys)
        lines.append(f"| {plan['q']} | {med(plan['stages'])} | {med(plan['peer_phases'])} |")
    lines.append("")
    lines.append("SQL (written by Sightline's offline planner, run by both sides):")
    lines.append("")
    for plan in plans:
        lines.append(f"- {plan['q']}: `{plan['sql']}`")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(report)
    print(f"written to {args.out}")
    shutil.rmtree(private, ignore_errors=True)
    return 0 if all_ok and len(plans) == len(questions) else 1


if __name__ == "__main__":
    sys.exit(main())
