#!/usr/bin/env bash
# Runs the criterion load bench and prints the ratio of loading 1M rows × 6 columns into polars
# (load/rows_to_dataframe) to SQLite's own aggregate scan of the same columns
# (load/sqlite_aggregate_scan). Aim: at most 2.0.
#   bash bench/load_ratio.sh            # runs the bench, then prints the ratios
#   bash bench/load_ratio.sh --no-run   # only prints them from the last run
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
if [ ! -f bench/out/bench.db ]; then
  echo "bench/out/bench.db is missing: run python3 bench/make_bench_db.py first" >&2
  exit 2
fi
if [ "${1:-}" != "--no-run" ]; then
  # --workspace, not -p: a per-package build unifies features differently and rebuilds polars
  cargo bench --workspace --bench load
fi
python3 - "$target/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]
def median_ms(group, name):
    path = os.path.join(root, group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] / 1e6
names = [("load", "sqlite_aggregate_scan"), ("load", "rows_to_query_result"), ("load", "rows_to_dataframe"),
         ("phases", "to_dataframe_only"), ("phases", "plain_rusqlite_aggregate_scan"),
         ("phases", "plain_rusqlite_step_rows"), ("phases", "direct_polars_builders")]
ms = {}
for group, name in names:
    try:
        ms[name] = median_ms(group, name)
        print(f"{group}/{name:32s} median {ms[name]:9.1f} ms")
    except FileNotFoundError:
        pass
agg, df = ms.get("sqlite_aggregate_scan"), ms.get("rows_to_dataframe")
if agg is None or df is None:
    sys.exit(f"no criterion estimates under {root}/load: did the bench run?")
ratio = df / agg
print(f"\nratio rows_to_dataframe / sqlite_aggregate_scan = {ratio:.2f}  (aim <= 2.0: {'met' if ratio <= 2 else 'NOT met'})")
if "rows_to_query_result" in ms:
    print(f"ratio rows_to_query_result / sqlite_aggregate_scan = {ms['rows_to_query_result'] / agg:.2f}")
plain = ms.get("plain_rusqlite_aggregate_scan")
for name in ("plain_rusqlite_step_rows", "direct_polars_builders"):
    if plain and name in ms:
        print(f"ratio {name} / plain_rusqlite_aggregate_scan = {ms[name] / plain:.2f}")
PY
