#!/usr/bin/env bash
# The whole test suite: formatting, clippy with warnings denied, doc tests, then every other
# test of the workspace (unit, integration, property, corpus and compile-fail cases) with
# cargo-nextest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/toolchain.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --doc
cargo nextest run --workspace --no-fail-fast
