#!/usr/bin/env bash
# Desktop app numbers (README "Performance"): cold start to first paint, idle memory, time to show
# a 100,000-row answer; the release build in a real WebKitGTK window under Xvfb, driven by
# tauri-driver (the script is tests/desktop/bench.mjs, beside the e2e tests whose WebDriver client
# it shares). A benchmark: it prints a table and asserts nothing about time.
#   bench/desktop.sh            # 5 launches of the release build; RUNS=10 for more
#   PROFILE=debug bench/desktop.sh   # the dev build (dependencies at opt-level 2), quicker to make
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_desktop_test_deps
ensure_ui_packages
start_keyring
target=${CARGO_TARGET_DIR:-target}
npm --prefix ui run build --silent
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
    # The whole workspace, as bench/analysis_vs_python.py builds it: `-p sightline-app` alone
    # resolves other features and compiles a second polars (~15 minutes here).
    cargo build --release --locked --workspace >&2
else
    cargo build --locked --workspace >&2
fi
python3 bench/make_bench_db.py >&2
export SIGHTLINE_APP=$(realpath "$target/$profile/sightline-app")
export SIGHTLINE_HOME="$WORK/home" BENCH_DB=$(realpath bench/out/bench.db)
npm ci --prefix tests/desktop --no-audit --no-fund --loglevel=error
port=${WEBDRIVER_PORT:-4444}
export WEBDRIVER_URL="http://127.0.0.1:$port"
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
    tauri-driver --port "$0" --native-port "$(( $0 + 1 ))" --native-driver "$(command -v WebKitWebDriver)" >/dev/null 2>&1 &
    driver=$!
    trap "kill $driver 2>/dev/null" EXIT
    for _ in $(seq 1 50); do (echo > /dev/tcp/127.0.0.1/"$0") 2>/dev/null && break; sleep 0.2; done
    node tests/desktop/bench.mjs
' "$port"
