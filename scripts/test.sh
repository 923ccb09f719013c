#!/usr/bin/env bash
# The whole test suite: formatting, clippy with warnings denied, then every test of the
# workspace: unit, integration, doc tests and compile-fail (trybuild) cases.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/toolchain.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
