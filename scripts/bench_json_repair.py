#!/usr/bin/env python3
"""Times Python's json_repair on the malformed inputs the Rust bench wrote, and compares.

Run by scripts/bench-json-repair.sh, which installs json-repair into a venv outside the
repository, runs the Rust bench (`cargo bench -p llm-core --bench parse -- repair_json`) with
LLM_BENCH_INPUTS_OUT set so it writes its inputs as JSON Lines, and passes the bench's output
here. Each input line is {"set", "name", "input", "rust"}, where "rust" is what
`llm_core::parse::repair_json` returned (null on error). The bench prints, per set,
`BENCH_RESULT repair_json/<set>_all seconds_per_pass=<s> inputs=<n>`: the median time of one
pass over all the inputs of the set.

Prints a Markdown table: time per pass for each side, the speed ratio, and how many inputs the
two agree on (same value after json_repair's output is normalized the way JSON would be).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import re
import statistics
import sys
import time

import json_repair


def load_inputs(path: str) -> dict[str, list[dict]]:
    sets: dict[str, list[dict]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                case = json.loads(line)
                sets.setdefault(case["set"], []).append(case)
    return sets


def rust_times(log_path: str) -> dict[str, float]:
    pattern = re.compile(r"^BENCH_RESULT repair_json/(\w+)_all seconds_per_pass=([0-9.eE+-]+)")
    times = {}
    with open(log_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pattern.match(line.strip())
            if m:
                times[m.group(1)] = float(m.group(2))
    return times


def time_pass(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        json_repair.repair_json(text, return_objects=True)
    return time.perf_counter() - start


def normalize(value):
    """Compares as JSON would: 5 == 5.0, tuples as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, dict):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", required=True, help="JSON Lines written by the bench")
    parser.add_argument("--rust-log", required=True, help="stdout of the Rust bench run")
    parser.add_argument("--passes", type=int, default=7, help="timed passes per set (median)")
    parser.add_argument("--target", type=float, default=100.0, help="speed-up target")
    args = parser.parse_args()

    sets = load_inputs(args.inputs)
    rust = rust_times(args.rust_log)
    if not rust:
        print("no BENCH_RESULT lines in the Rust bench output", file=sys.stderr)
        return 1

    version = importlib.metadata.version("json-repair")
    py = sys.version.split()[0]
    print(f"\n### 3. `repair_json` (Rust) vs Python `json_repair` {version} (CPython {py})\n")
    print(
        "| input set | inputs | bytes | json_repair per pass | Rust `repair_json` per pass "
        f"| speed-up | same value | target ≥ {args.target:g}x |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    worst = math.inf
    for name in ("generated", "corpus"):
        cases = sets.get(name)
        if not cases or name not in rust:
            continue
        texts = [c["input"] for c in cases]
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        time_pass(texts)  # warm-up
        py_time = statistics.median(time_pass(texts) for _ in range(args.passes))
        same = 0
        for c in cases:
            try:
                got = json_repair.repair_json(c["input"], return_objects=True)
            except Exception:  # noqa: BLE001 - a crash is a disagreement
                got = object()
            if c["rust"] is not None and normalize(got) == normalize(c["rust"]):
                same += 1
        ratio = py_time / rust[name]
        worst = min(worst, ratio)
        verdict = "pass" if ratio >= args.target else f"miss ({(1 - ratio / args.target) * 100:.0f}% short)"
        print(
            f"| {name} | {len(texts)} | {nbytes / 1024:.1f} KB | {py_time * 1e3:.1f} ms "
            f"| {rust[name] * 1e3:.3f} ms | {ratio:.0f}x | {same}/{len(texts)} | {verdict} |"
        )
    print(
        "\n(\"same value\": inputs where json_repair's result equals Rust's; they differ on "
        "purpose on some, e.g. json_repair returns \"\" for text without JSON, and takes the "
        "first of several JSON values.)"
    )

    # Where json_repair's time goes: per damage variant of the generated set. json_repair first
    # tries the standard library's C `json.loads` on the text, and `raw_decode` on a value it
    # finds after a prefix (prose, a fence), so inputs whose JSON is valid cost it little.
    generated = sets.get("generated")
    if generated:
        by_variant: dict[str, list[str]] = {}
        for c in generated:
            by_variant.setdefault(c["name"].split("/")[0], []).append(c["input"])
        print("\njson_repair per damage variant (generated set, all 4 sizes, median of 3 passes):\n")
        print("| variant | bytes | json_repair per pass | json_repair throughput |")
        print("| --- | ---: | ---: | ---: |")
        for variant, texts in by_variant.items():
            nbytes = sum(len(t.encode("utf-8")) for t in texts)
            t = statistics.median(time_pass(texts) for _ in range(3))
            print(f"| {variant} | {nbytes / 1024:.1f} KB | {t * 1e3:.2f} ms | {nbytes / t / 1e6:.1f} MB/s |")
    return 0 if worst >= args.target else 2


if __name__ == "__main__":
    sys.exit(main())
