#!/usr/bin/env bash
# The live-model suite: real #[llm_fn] calls over HTTP against a local model (SmolLM2-135M behind
# llama.cpp's llama-server) through the OpenAI-compatible provider, in native (json_schema
# grammar) and prompt mode. The tests are tests/live/*.rs; the normal suite (scripts/test.sh)
# skips them, as each is #[ignore]d.
#
#   scripts/test-live.sh
#
# 1. Builds the test binary.
# 2. Starts the model server with scripts/local-model.sh (one server per machine; if one is
#    already running it is used and left running). On a machine without the cache
#    (~/.cache/llm-fn) this downloads the model and builds llama-server: about 12 minutes on two
#    cores; later starts take seconds.
# 3. Runs the ignored tests of the `live` target, one at a time (the server has one slot), with
#    their output, which shows every reply the model gave and what became of it:
#      cargo nextest run -p tests --test live --run-ignored only --no-capture
#    About 30 requests at temperature 0, ~2,000 reply and ~4,500 prompt tokens: a minute or two
#    on an idle two-core machine (the server makes ~50 reply tokens/s there); 8 to 15 minutes were
#    measured on one busy with other builds and benchmarks. The replies are deterministic: the
#    server keeps no prompt cache.
# 4. Stops the server if this script started it (KEEP_MODEL_SERVER=1 leaves it running), and
#    exits non-zero when a test failed.
#
# To run against another OpenAI-compatible server, skip this script:
#   LLM_BASE_URL=http://host:port/v1 [LLM_MODEL=..] cargo nextest run -p tests --test live --run-ignored only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/toolchain.sh

NEXTEST=(cargo nextest run -p tests --test live --run-ignored only)

echo "test-live: building the live suite" >&2
"${NEXTEST[@]}" --no-run

started_server=0
if ! scripts/local-model.sh status >/dev/null; then
    started_server=1
fi
stop_server() {
    if [ "$started_server" = 1 ] && [ "${KEEP_MODEL_SERVER:-0}" != 1 ]; then
        scripts/local-model.sh stop || true
    fi
}
trap stop_server EXIT

# Not `eval "$(... start)"` in one line: eval of an empty output would hide a failed start.
server_env=$(scripts/local-model.sh start)
eval "$server_env"
if [ -z "${LLM_BASE_URL:-}" ]; then
    echo "test-live: scripts/local-model.sh start printed no LLM_BASE_URL" >&2
    exit 1
fi
export LLM_BASE_URL
echo "test-live: model server at $LLM_BASE_URL" >&2

started=$SECONDS
status=0
"${NEXTEST[@]}" --no-capture --no-fail-fast || status=$?
echo "test-live: live suite took $((SECONDS - started)) s (exit status $status)" >&2
exit "$status"
