# Shared set-up for scripts/test and scripts/demo: each function installs what is missing and
# says what it does. Sourced, not run.

WORK=$(mktemp -d)
CLEANUP=('rm -rf "$WORK"')
# Runs every registered clean-up, last registered first.
cleanup() { local i; for ((i=${#CLEANUP[@]}-1; i>=0; i--)); do eval "${CLEANUP[i]}" || true; done; }
trap cleanup EXIT
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n==> %s\n' "$*" >&2; }

have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] && ! have sudo; then
        echo "Please install: ${missing[*]}" >&2; return 1
    fi
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust() {
    if ! have cargo; then
        echo "Rust is not installed: install it from https://rustup.rs (stable, 1.95 or newer)." >&2
        exit 1
    fi
    rustup component add rustfmt clippy >/dev/null 2>&1 || true
}

ensure_python_goldens() {
    have python3 || apt_install python3 python3-pip
    if ! python3 -c 'import pandas, scipy, numpy' >/dev/null 2>&1; then
        python3 -m pip install --quiet --disable-pip-version-check -r tests/golden/requirements.txt \
            || python3 -m pip install --quiet --break-system-packages -r tests/golden/requirements.txt
    fi
}

ensure_ui_packages() {
    if ! have npm; then apt_install nodejs npm; fi
    if [ ! -f ui/node_modules/plotly.js-dist-min/plotly.min.js ]; then
        npm ci --prefix ui --no-audit --no-fund --loglevel=error
    fi
}

# The UI's toolchain (Vite 7, vitest 4) needs Node.js 20.19 or newer; Debian 12's own nodejs is 18.
ensure_node_20() {
    if ! have npm; then apt_install nodejs npm; fi
    local version
    version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
    if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
        echo "Node.js $version is too old for the UI build: install Node.js 20.19+ (e.g. from https://nodejs.org or NodeSource)." >&2
        return 1
    fi
}

# A clean install of the UI's exact, locked packages (what CI runs).
ui_ci() {
    ensure_node_20
    npm ci --prefix ui --no-audit --no-fund --loglevel=error
}

# Prints one closing 'N passed, N failed' line over every cargo test binary.
summarize_cargo_tests() {
    local passed failed
    passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
    failed=$(grep -Eo '; [0-9]+ failed' "$1" | awk '{s+=$2} END {print s+0}')
    echo "tests: ${passed} passed, ${failed} failed"
    [ "$failed" -eq 0 ]
}

# True when a Docker engine answers on DOCKER_HOST or the default socket.
docker_answers() { have docker && timeout 15 docker info >/dev/null 2>&1; }

# Uses the Docker engine that answers; otherwise installs docker.io and starts dockerd in the
# background (only when DOCKER_HOST names no other engine) and waits for it.
ensure_docker() {
    docker_answers && return 0
    have docker && have dockerd || apt_install docker.io
    docker_answers && return 0
    if [ -n "${DOCKER_HOST:-}" ]; then
        echo "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST." >&2
        return 1
    fi
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    echo "Starting dockerd (log: /var/log/sightline-dockerd.log)" >&2
    $sudo sh -c 'nohup dockerd >/var/log/sightline-dockerd.log 2>&1 &'
    for _ in $(seq 1 60); do
        docker_answers && return 0
        sleep 1
    done
    echo "dockerd did not start within 60 s; see /var/log/sightline-dockerd.log" >&2
    tail -20 /var/log/sightline-dockerd.log >&2 || true
    return 1
}

# The system libraries the desktop app builds with (Tauri 2 on WebKitGTK 4.1, the Secret Service
# client of the keychain) and what drives it end to end (WebKitWebDriver, tauri-driver, Xvfb).
ensure_desktop_deps() {
    apt_install pkg-config build-essential libwebkit2gtk-4.1-dev librsvg2-dev libdbus-1-dev
}

ensure_desktop_test_deps() {
    ensure_desktop_deps
    apt_install libsecret-tools webkit2gtk-driver xvfb xauth gnome-keyring dbus-x11
    have tauri-driver || cargo install tauri-driver --locked --version 2.1.0 >&2
}

# A session bus with an unlocked GNOME Keyring (a real Secret Service) for this shell and what
# it starts, so keychain tests use the system keychain the way a Linux desktop does.
start_keyring() {
    if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
        eval "$(dbus-launch --sh-syntax)"
        export DBUS_SESSION_BUS_ADDRESS
        CLEANUP+=("kill $DBUS_SESSION_BUS_PID")
    fi
    eval "$(echo | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
}
