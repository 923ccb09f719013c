#!/usr/bin/env bash
# llm-core's schema-free `repair_json` vs Python's `json_repair` (PyPI json-repair), same inputs,
# one run.
#
# 1. Installs json-repair into a venv outside the repo (default
#    ${XDG_CACHE_HOME:-~/.cache}/llm-core-bench/json-repair-venv; JSON_REPAIR_VERSION=x.y.z pins
#    it, otherwise the latest is installed and its version printed).
# 2. Runs the Rust bench's `repair_json` group:
#      LLM_BENCH_INPUTS_OUT=<target>/bench-inputs.jsonl \
#        cargo bench -p llm-core --bench parse -- repair_json
#    which writes every malformed input it uses (the 40 generated damaged invoices and the inputs
#    of tests/corpus/*.jsonl) with Rust's repaired value, times `repair_json` over each set with
#    criterion, and prints `BENCH_RESULT repair_json/<set>_all seconds_per_pass=...`; and times
#    `Invoice::parse` over the generated set (`typed_seconds_per_pass`), the repair plus the typed
#    result.
# 3. scripts/bench_json_repair.py times `json_repair.repair_json(text, return_objects=True)` over
#    the same inputs (median of 7 passes after a warm-up), prints the ratio against the Rust
#    time and how many inputs both read to the same value; then times both sides in alternation
#    (15 rounds of about 0.2 s each, Rust through the bench binary's LLM_BENCH_PAIR_SERVER mode)
#    and gives the median ratio, which the verdict uses.
#
# Exit status: 0 when the generated set read with `Invoice::parse` (the repair plus the typed
# result, target 3) is at least 100x faster in Rust, 2 when it is not; the `repair_json` rows are
# reported beside it.
# The separate timings run on the same (shared, 2-core) machine within a minute of each other;
# json_repair's time moves by a factor of two between runs there, hence the paired ratio.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${JSON_REPAIR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-core-bench/json-repair-venv}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "json-repair${JSON_REPAIR_VERSION:+==$JSON_REPAIR_VERSION}"

cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
    "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}
INPUTS="$TARGET_DIR/bench-inputs.jsonl"
LOG=$(mktemp "${TMPDIR:-/tmp}/bench-json-repair.XXXXXX")
trap 'rm -f "$LOG"' EXIT

LLM_BENCH_INPUTS_OUT="$INPUTS" cargo bench -p llm-core --bench parse -- repair_json | tee "$LOG"

# The bench binary, for timing both sides in alternation (its LLM_BENCH_PAIR_SERVER mode).
BIN=$(cargo bench -p llm-core --bench parse --no-run 2>&1 |
    sed -n 's/.*Executable benches\/parse\.rs (\(.*\))$/\1/p' | tail -1)
case "$BIN" in /*) ;; ?*) BIN="$ROOT/$BIN" ;; esac

"$VENV/bin/python" "$ROOT/scripts/bench_json_repair.py" --inputs "$INPUTS" --rust-log "$LOG" \
    ${BIN:+--rust-bin "$BIN"}
