#!/usr/bin/env bash
# Builds the UI, starts `sightline serve --ui ui/dist` on a free port, runs the browser tests
# (ui/e2e, playwright-core + Debian's Chromium) against it, and stops the server.
#   SIGHTLINE_BIN  the sightline binary (default ${CARGO_TARGET_DIR:-target}/debug/sightline)
#   CHROMIUM       the browser (default /usr/bin/chromium)
#   SKIP_BUILD=1   reuse an existing ui/dist
set -euo pipefail
ui="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$ui/.." && pwd)"
bin="${SIGHTLINE_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/sightline}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin" ] || { echo "No sightline binary at $bin: run cargo build first, or set SIGHTLINE_BIN." >&2; exit 1; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "No Chromium at ${CHROMIUM:-/usr/bin/chromium}: apt install chromium, or set CHROMIUM." >&2; exit 1; }

cd "$ui"
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f dist/index.html ]; then
    npm run build --silent
fi

home="$(mktemp -d)"
log="$home/serve.log"
SIGHTLINE_HOME="$home" "$bin" serve --port 0 --ui "$ui/dist" >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$home"; }
trap cleanup EXIT

url=""
for _ in $(seq 1 100); do
    url="$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$log" | head -1)"
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "sightline serve did not start:" >&2; cat "$log" >&2; exit 1; }
echo "Browser tests against $url" >&2
SIGHTLINE_URL="$url" node --test --test-reporter=spec --test-concurrency=1 e2e/
