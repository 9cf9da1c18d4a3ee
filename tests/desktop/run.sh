#!/usr/bin/env bash
# The desktop end-to-end tests: the built app (SIGHTLINE_APP, default the debug build) in a real
# WebKitGTK window under Xvfb, driven by tauri-driver + WebKitWebDriver, with a real keychain
# (GNOME Keyring unlocked in a session bus of its own) and a temporary SIGHTLINE_HOME.
# Screenshots go to tests/desktop/screenshots/ (not committed; current ones are in docs/).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh

ensure_desktop_test_deps
apt_install xdotool  # answers the app's save dialog, which WebDriver cannot reach
start_keyring
target=${CARGO_TARGET_DIR:-target}
export SIGHTLINE_APP=${SIGHTLINE_APP:-$(realpath "$target/debug/sightline-app")}
export SIGHTLINE_BIN=${SIGHTLINE_BIN:-$(realpath "$target/debug/sightline")}
export SIGHTLINE_HOME="$WORK/home"
export SCREENSHOTS=${SCREENSHOTS:-$PWD/tests/desktop/screenshots}
mkdir -p "$SIGHTLINE_HOME"
npm ci --prefix tests/desktop --no-audit --no-fund --loglevel=error

port=${WEBDRIVER_PORT:-4444}
export WEBDRIVER_URL="http://127.0.0.1:$port"
xvfb-run -a -s "-screen 0 1440x900x24" bash -c '
    tauri-driver --port "$0" --native-port "$(( $0 + 1 ))" --native-driver "$(command -v WebKitWebDriver)" \
        >"$1/tauri-driver.log" 2>&1 &
    driver=$!
    trap "kill $driver 2>/dev/null" EXIT
    for _ in $(seq 1 50); do
        (echo > /dev/tcp/127.0.0.1/"$0") 2>/dev/null && break
        sleep 0.2
    done
    npm --prefix tests/desktop test
' "$port" "$WORK" || { echo "--- tauri-driver log" >&2; tail -50 "$WORK/tauri-driver.log" >&2; exit 1; }
