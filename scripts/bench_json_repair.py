#!/usr/bin/env python3
"""Times Python's json_repair on the malformed inputs the Rust bench wrote, and compares.

Run by scripts/bench-json-repair.sh, which installs json-repair into a venv outside the
repository, runs the Rust bench (`cargo bench -p llm-core --bench parse -- repair_json`) with
LLM_BENCH_INPUTS_OUT set so it writes its inputs as JSON Lines, and passes the bench's output
here. Each input line is {"set", "name", "input", "rust"}, where "rust" is what
`llm_core::parse::repair_json` returned (null on error). The bench prints, per set,
`BENCH_RESULT repair_json/<set>_all seconds_per_pass=<s> inputs=<n>`: the median time of one
pass over all the inputs of the set; and `... serde_repaired_seconds_per_pass=<s>`: the same for
`serde_json::from_str::<Value>` over what `repair_json` returned, written as compact JSON; and,
for the generated set, `... typed_seconds_per_pass=<s>`: `Invoice::parse` over its inputs (the
repair plus the typed result, what a caller of `T::parse` pays).

Prints a Markdown table: time per pass for each side, the speed ratio (and the one serde would
have reading the values `repair_json` returned, written as JSON), and how many inputs the
two agree on (same value after json_repair's output is normalized the way JSON would be); a
row for the generated set read as `Invoice`; then where json_repair's time goes.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import math
import os
import re
import statistics
import subprocess
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


def rust_times(log_path: str, what: str = "seconds_per_pass") -> dict[str, float]:
    """The bench's `BENCH_RESULT repair_json/<set>_all <what>=<s>` lines: `seconds_per_pass`
    for `repair_json`, `serde_repaired_seconds_per_pass` for serde reading what it returned."""
    pattern = re.compile(rf"^BENCH_RESULT repair_json/(\w+)_all {what}=([0-9.eE+-]+)")
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


class RustPasses:
    """The bench binary in its pairing mode (`LLM_BENCH_PAIR_SERVER`): asked for a number of
    passes over a set, it times them and answers with the seconds one pass took."""

    def __init__(self, binary: str, inputs: str) -> None:
        env = dict(os.environ, LLM_BENCH_PAIR_SERVER=inputs)
        self.proc = subprocess.Popen(
            [binary], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def per_pass(self, set_name: str, passes: int, typed: bool = False) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{set_name} {passes}{' typed' if typed else ''}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


def paired(
    texts: list[str], set_name: str, rust: RustPasses, typed: bool = False, rounds: int = 15
) -> tuple[float, float, float]:
    """json_repair's time over Rust's, per pass, measured in alternation: each round times about
    0.2 s of each side, which goes first alternating; the median, min and max of the rounds'
    ratios. Both sides see the same load within a round, which separate runs do not."""
    budget = 0.2
    py_passes = max(1, round(budget / max(time_pass(texts), 1e-9)))
    rust.per_pass(set_name, 1, typed)  # warm-up
    rust_passes = max(1, round(budget / max(rust.per_pass(set_name, 3, typed), 1e-9)))

    def py_per_pass() -> float:
        return sum(time_pass(texts) for _ in range(py_passes)) / py_passes

    ratios = []
    for i in range(rounds):
        if i % 2 == 0:
            py_t = py_per_pass()
            rust_t = rust.per_pass(set_name, rust_passes, typed)
        else:
            rust_t = rust.per_pass(set_name, rust_passes, typed)
            py_t = py_per_pass()
        ratios.append(py_t / rust_t)
    return statistics.median(ratios), min(ratios), max(ratios)


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
    parser.add_argument(
        "--rust-bin",
        help="the bench binary: also measure both sides in alternation (the verdict's ratio)",
    )
    args = parser.parse_args()

    sets = load_inputs(args.inputs)
    rust = rust_times(args.rust_log)
    floor = rust_times(args.rust_log, "serde_repaired_seconds_per_pass")
    typed = rust_times(args.rust_log, "typed_seconds_per_pass")
    if not rust:
        print("no BENCH_RESULT lines in the Rust bench output", file=sys.stderr)
        return 1

    version = importlib.metadata.version("json-repair")
    py = sys.version.split()[0]
    print(f"\n### 3. Rust vs Python `json_repair` {version} (CPython {py})\n")
    print(
        "| input set | inputs | bytes | json_repair per pass | Rust per pass "
        "| speed-up (separate runs) | speed-up (paired, median [min-max]) "
        f"| serde on the repaired: speed-up | same value | target ≥ {args.target:g}x |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    rust_passes = RustPasses(args.rust_bin, args.inputs) if args.rust_bin else None
    worst = math.inf
    # Each row: the set, whether Rust reads it typed, and that side's time per pass.
    rows = [
        (name, is_typed, times[name])
        for name, is_typed, times in (
            ("generated", False, rust),
            ("generated", True, typed),
            ("corpus", False, rust),
        )
        if sets.get(name) and name in times
    ]
    # The target is on the typed row when there is one (the repair plus the typed result, on the
    # inputs of the bench's malformed set); the schema-free rows are reported beside it.
    target_rows = [row for row in rows if row[1]] or rows
    for name, is_typed, rust_time in rows:
        cases = sets[name]
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
        separate = py_time / rust_time
        # The verdict uses the paired ratio when there is one: json_repair's own time moves by a
        # factor of two between runs on a shared machine.
        pair = paired(texts, name, rust_passes, is_typed) if rust_passes else None
        ratio = pair[0] if pair else separate
        pair_cell = f"{pair[0]:.0f}x [{pair[1]:.0f}-{pair[2]:.0f}]" if pair else "-"
        short = f"{(1 - ratio / args.target) * 100:.0f}% short"
        if (name, is_typed, rust_time) in target_rows:
            worst = min(worst, ratio)
            verdict = "pass" if ratio >= args.target else f"miss ({short})"
        else:
            verdict = "reported: " + ("reached" if ratio >= args.target else short)
        # What serde alone needs to read the values `repair_json` returned: the speed-up a
        # repairer costing nothing beyond building the `Value` would have.
        serde_speedup = f"{py_time / floor[name]:.0f}x" if name in floor and not is_typed else "-"
        label = f"{name}, as `Invoice` (`T::parse`)" if is_typed else f"{name} (`repair_json`)"
        same_cell = "-" if is_typed else f"{same}/{len(texts)}"
        print(
            f"| {label} | {len(texts)} | {nbytes / 1024:.1f} KB | {py_time * 1e3:.1f} ms "
            f"| {rust_time * 1e3:.3f} ms | {separate:.0f}x | {pair_cell} | {serde_speedup} "
            f"| {same_cell} | {verdict} |"
        )
    if rust_passes:
        rust_passes.close()
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

    # The corpus: replies the standard library reads as they are, against the rest.
    corpus = sets.get("corpus")
    if corpus:
        split: dict[str, list[str]] = {"valid JSON": [], "the rest": []}
        for c in corpus:
            try:
                json.loads(c["input"])
                split["valid JSON"].append(c["input"])
            except ValueError:
                split["the rest"].append(c["input"])
        print("\njson_repair on the corpus, split by whether `json.loads` reads a reply (median of 3 passes):\n")
        print("| replies | count | bytes | json_repair per pass | per reply |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for kind, texts in split.items():
            if not texts:
                continue
            nbytes = sum(len(t.encode("utf-8")) for t in texts)
            t = statistics.median(time_pass(texts) for _ in range(3))
            print(f"| {kind} | {len(texts)} | {nbytes / 1024:.1f} KB | {t * 1e3:.2f} ms | {t / len(texts) * 1e6:.1f} µs |")
    return 0 if worst >= args.target else 2


if __name__ == "__main__":
    sys.exit(main())
