#!/usr/bin/env bash
# A bounded fuzz run of the parser (fuzz/fuzz_targets/parse.rs) with cargo-fuzz and libFuzzer.
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#   scripts/fuzz.sh [SECONDS]    (default 300)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-300}
mkdir -p corpus/parse
# Seed with the malformed-output corpus, one input per file.
if [ -d ../tests/corpus ]; then
    python3 - <<'PY'
import json, glob, hashlib, os
for path in glob.glob("../tests/corpus/*.jsonl"):
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        text = json.loads(line).get("input", "")
        name = hashlib.sha1(text.encode()).hexdigest()
        with open(os.path.join("corpus/parse", name), "w", encoding="utf-8") as f:
            f.write(text)
PY
fi
cargo +nightly fuzz run parse corpus/parse -- -max_total_time="$secs" -rss_limit_mb=4096 -max_len=65536 2>&1 | tee /tmp/fuzz-parse.log | grep -E "^(#[0-9]+.*(DONE|pulse)|Done|SUMMARY|==[0-9]+==|artifact_prefix|Test unit)" || true
grep -E "Done [0-9]+ runs" /tmp/fuzz-parse.log || true
