#!/usr/bin/env bash
# rust-toolchain.toml pins the toolchain by version (compile-fail snapshots depend on it).
# Machines ship it as `stable`; register that under its version when it is the same release,
# instead of letting rustup try to download it.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$want"; then
    have=$(RUSTUP_TOOLCHAIN=stable rustc --version | awk '{print $2}')
    if [ "$have" != "$want" ]; then
        echo "toolchain: rust-toolchain.toml wants $want, the machine has $have" >&2
        exit 1
    fi
    rustup toolchain link "$want" "$(RUSTUP_TOOLCHAIN=stable rustc --print sysroot)"
fi
