#!/usr/bin/env python3
"""Scores Sightline's offline planner on the data-driven question suite (Python 3.11 stdlib only).

Usage:
  python3 sample-data/questions/score.py [--bin PATH] [--shapes DIR] [--only ID-PREFIX]
        [--json OUT] [--min-accuracy X] [--baseline FILE] [--jobs N] [--verbose]

Every case of sample-data/questions/*.json is asked through `sightline ask --json` on its
database; the case's reference SQL runs on the same file through Python's sqlite3 (read-only URI),
and the answer's data.rows must equal the reference rows (README.md in this directory has the rules).

Exit code: 0, unless --min-accuracy X is given and some database scores below X (a fraction, 0.9),
or --baseline FILE is given and a case not listed in FILE (JSON: {"id": "reason"}) fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import json
import math
import os
import sqlite3
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_DATA = os.path.dirname(HERE)
DEFAULT_BIN = "/var/cache/sightline/target/release/sightline"
DEFAULT_SHAPES = os.path.join(SAMPLE_DATA, "shapes", "out")
REL_TOL = 1e-6
ABS_TOL = 1e-9
MAX_ROWS = 1_000_000


def load_suites(shapes_dir):
    """[(suite name, db path, glossary path or None, [cases])] in file-name order."""
    suites = []
    for name in sorted(os.listdir(HERE)):
        if not name.endswith(".json") or name == "known_failures.json":
            continue
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            suite = json.load(f)
        if not isinstance(suite, dict) or "cases" not in suite:
            continue  # e.g. a --json results file written here
        base = SAMPLE_DATA if suite["location"] == "sample-data" else shapes_dir
        db = os.path.join(base, suite["db"])
        glossary = os.path.join(base, suite["glossary"]) if suite.get("glossary") else None
        suites.append((name[:-5], db, glossary, suite["cases"]))
    return suites


def reference_rows(db, sql):
    uri = "file:" + urllib.parse.quote(os.path.abspath(db)) + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        return [list(r) for r in con.execute(sql).fetchall()]
    finally:
        con.close()


def ask(binary, db, glossary, question, timeout=120):
    cmd = [binary, "ask", "--db", db, "--json", "--max-rows", str(MAX_ROWS)]
    if glossary:
        cmd += ["--glossary", glossary]
    cmd.append(question)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, f"timed out after {timeout} s"
    try:
        answer = json.loads(proc.stdout)
    except json.JSONDecodeError:
        answer = None
    return proc.returncode, answer, proc.stderr.strip()


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_value(a, b):
    if is_number(a) and is_number(b):
        if isinstance(a, float) and math.isnan(a) or isinstance(b, float) and math.isnan(b):
            return False
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return a == b


def sort_key(row):
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif is_number(v):
            key.append((1, f"{float(v):.6g}"))
        else:
            key.append((2, str(v)))
    return key


def compare_rows(got, want, ordered):
    """None when equal, else a one-line reason."""
    if len(got) != len(want):
        return f"wrong row count: got {len(got)}, want {len(want)}"
    if not want:
        return None
    gw, ww = len(got[0]), len(want[0])
    if gw < ww:
        return f"wrong column count: got {gw}, want at least {ww}"
    # Column names are not compared, nor column order, and the answer may show more columns than
    # the reference (the measure beside its share, say): every reference column must equal a
    # distinct answer column. Try every assignment of answer columns to reference columns.
    first_reason = None
    perms = itertools.permutations(range(gw), ww) if gw <= 6 else [tuple(range(ww))]
    for perm in perms:
        g = [[row[i] for i in perm] for row in got]
        w = want
        if not ordered:
            g = sorted(g, key=sort_key)
            w = sorted(want, key=sort_key)
        reason = None
        for r, (grow, wrow) in enumerate(zip(g, w)):
            for c, (a, b) in enumerate(zip(grow, wrow)):
                if not same_value(a, b):
                    reason = f"value mismatch at row {r} col {c}: got {a!r}, want {b!r}"
                    break
            if reason:
                break
        if reason is None:
            return None
        if first_reason is None:
            first_reason = reason
    return first_reason


def score_case(binary, db, glossary, case):
    expect = case["expect"]
    gl = glossary if case.get("glossary") else None
    code, answer, stderr = ask(binary, db, gl, case["question"])
    result = {"id": case["id"], "question": case["question"], "exit": code, "passed": False,
              "reason": None, "sql": None, "interpretation": None, "warnings": [],
              "analytics_type": None, "confidence": None, "error": None}
    if answer is not None:
        for k in ("sql", "interpretation", "warnings", "analytics_type", "confidence", "error"):
            result[k] = answer.get(k)
    if code is None:
        result["reason"] = stderr
        return result
    if answer is None:
        result["reason"] = f"exit {code}, stdout is not one JSON object ({stderr[:120]})"
        return result
    err = answer.get("error") or {}
    if expect.get("not_understood"):
        msg = err.get("message") or ""
        if code != 2:
            result["reason"] = f"exit code {code}, want 2 (not understood); it answered with SQL {answer.get('sql')!r}"
        elif err.get("kind") != "not_understood":
            result["reason"] = f"exit 2 but error kind {err.get('kind')!r}, want 'not_understood'"
        elif len(msg) < 40:
            result["reason"] = f"message too short to help: {msg!r}"
        else:
            result["passed"] = True
        return result
    if code != 0:
        result["reason"] = f"exit code {code}: {err.get('kind')}: {(err.get('message') or stderr)[:200]}"
        return result
    if "analytics_type" in expect and answer.get("analytics_type") != expect["analytics_type"]:
        result["reason"] = (f"wrong analytics_type: got {answer.get('analytics_type')!r}, "
                            f"want {expect['analytics_type']!r}")
        return result
    data = answer.get("data") or {}
    rows = data.get("rows")
    if rows is None:
        result["reason"] = "answer has no data.rows"
        return result
    try:
        want = reference_rows(db, expect["sql"])
    except sqlite3.Error as e:
        result["reason"] = f"REFERENCE SQL FAILED: {e}"
        return result
    if data.get("row_count") != len(rows):
        result["reason"] = f"row_count {data.get('row_count')} but {len(rows)} rows returned (truncated?)"
        return result
    reason = compare_rows(rows, want, bool(expect.get("ordered")))
    if reason:
        result["reason"] = reason
    else:
        result["passed"] = True
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=DEFAULT_BIN, help="sightline binary")
    ap.add_argument("--shapes", default=DEFAULT_SHAPES, help="directory holding wide.db, odd.db (make_shapes.py --out)")
    ap.add_argument("--only", default="", help="only cases whose id starts with this")
    ap.add_argument("--json", dest="json_out", help="write every result to this file")
    ap.add_argument("--min-accuracy", type=float, help="exit 1 if a database scores below this fraction")
    ap.add_argument("--baseline", help="known failures (JSON id -> reason): exit 1 if any other case fails")
    ap.add_argument("--jobs", type=int, default=2, help="questions asked in parallel")
    ap.add_argument("--verbose", "-v", action="store_true", help="print SQL and interpretation of failures")
    args = ap.parse_args(argv)

    if not os.access(args.bin, os.X_OK):
        print(f"no sightline binary at {args.bin} (give one with --bin)", file=sys.stderr)
        return 2
    suites = load_suites(args.shapes)
    for name, db, glossary, _ in suites:
        if not os.path.exists(db):
            print(f"missing database for {name}: {db} (run sample-data/shapes/make_shapes.py)", file=sys.stderr)
            return 2

    all_results = {}
    exit_code = 0
    summary = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, db, glossary, cases in suites:
            chosen = [c for c in cases if c["id"].startswith(args.only)]
            if not chosen:
                continue
            results = list(pool.map(lambda c: score_case(args.bin, db, glossary, c), chosen))
            all_results[name] = results
            passed = sum(r["passed"] for r in results)
            acc = passed / len(results)
            summary.append((name, passed, len(results), acc))
            print(f"== {name}: {passed}/{len(results)} passed, accuracy {acc:.1%}")
            for r in results:
                if not r["passed"]:
                    print(f"  FAIL {r['id']}: {r['question']!r}: {r['reason']}")
                    if args.verbose:
                        print(f"       sql: {r['sql']}")
                        print(f"       interpretation: {r['interpretation']}")
                        if r["warnings"]:
                            print(f"       warnings: {r['warnings']}")
            if args.min_accuracy is not None and acc < args.min_accuracy:
                print(f"  {name} is below the minimum accuracy {args.min_accuracy:.1%}")
                exit_code = 1

    total_pass = sum(s[1] for s in summary)
    total = sum(s[2] for s in summary)
    if total:
        print(f"== all: {total_pass}/{total} passed, accuracy {total_pass / total:.1%}")

    if args.baseline:
        with open(args.baseline, encoding="utf-8") as f:
            known = json.load(f)
        new_failures = [r for rs in all_results.values() for r in rs if not r["passed"] and r["id"] not in known]
        fixed = [r for rs in all_results.values() for r in rs if r["passed"] and r["id"] in known]
        for r in fixed:
            print(f"  NOW PASSES (remove from {os.path.basename(args.baseline)}): {r['id']}")
        for r in new_failures:
            print(f"  NEW FAILURE (not a known failure): {r['id']}: {r['reason']}")
        if new_failures:
            exit_code = 1

    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump({"summary": [{"database": n, "passed": p, "total": t, "accuracy": a}
                                   for n, p, t, a in summary],
                       "results": all_results}, f, indent=1)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
