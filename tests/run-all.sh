#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, the
# conformance runner (both backends), the crash test, and the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo >/dev/null || { echo "cargo is required (install Rust with rustup)"; exit 1; }
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy >/dev/null 2>&1 || true
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --release -- -D warnings
echo "== cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "== cargo test (unit, property, conformance, crash, CLI, spec examples, snapshots)"
log=$(mktemp)
cargo test --workspace --release 2>&1 | tee "$log"
echo "== generated/ is what the spec produces"
cargo run --release -q -p cairn-codegen -- check
echo "== bindings (Python, TypeScript, Java) against the runtime"
bash tests/bindings/run.sh 2>&1 | tee -a "$log"
echo "== demos"
cargo run --release -q -p cairn --example demo "$(mktemp -d)/demo.redb" >/dev/null
bash runtime/examples/cli-demo.sh >/dev/null
# One closing line over every test binary (libtest and the conformance runner).
passed=$(grep -Eo '(ok\.|FAILED\.|conformance:|bindings-[a-z]+:|binding-tests-[a-z]+:) [0-9]+ passed' "$log" | awk '{s += $(NF-1)} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')
echo "total: ${passed} passed, ${failed} failed"
