#!/usr/bin/env bash
# The TypeScript binding's tests: installs typescript and @types/node (and
# links generated/typescript as @cairn/client) into a local node_modules,
# builds the generated package with tsc into generated/typescript/dist,
# type-checks it with --strict, builds the tests and runs them with
# `node --test` against real `cairn serve` processes.
#
# Environment: CAIRN_BIN (the cairn binary; default target/{release,debug}/
# cairn), CAIRN_BINDING_SCRIPT (script.json; default: made here with
# `cargo run -p cairn-tests --bin binding-script`), CAIRN_BINDING_TRANSCRIPT
# (where the transcript goes). When this script makes the binding script
# itself it also compares the transcript with compare.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
pkg=$root/generated/typescript
cd "$here"
command -v node >/dev/null || { echo "node (20 or later) is required"; exit 1; }
echo "== npm install (typescript, @types/node, @cairn/client from generated/typescript)"
npm install --no-audit --no-fund --loglevel=error
tsc=$here/node_modules/.bin/tsc
echo "== build generated/typescript"
rm -rf "$pkg/dist"
"$tsc" -p "$pkg"
echo "== tsc --strict --noEmit generated/typescript"
"$tsc" -p "$pkg" --strict --noEmit
echo "== build the tests"
rm -rf "$here/dist"
"$tsc" -p "$here"
compare=0
if [ -z "${CAIRN_BINDING_SCRIPT:-}" ]; then
  out=$(mktemp -d)
  (cd "$out" && cargo run -q --manifest-path "$root/Cargo.toml" -p cairn-tests --bin binding-script -- "$out") >/dev/null
  export CAIRN_BINDING_SCRIPT=$out/script.json
  export CAIRN_BINDING_TRANSCRIPT=${CAIRN_BINDING_TRANSCRIPT:-$out/typescript.json}
  compare=1
fi
echo "== node --test"
status=0
# A test that hangs fails after 5 minutes instead of stalling the suite.
node --test --test-timeout=300000 --test-reporter=tap "$here"/dist/*.test.js || status=$?
if [ "$compare" = 1 ]; then
  echo "== compare the transcript with the Rust runtime's"
  python3 "$root/tests/bindings/compare.py" "$(dirname "$CAIRN_BINDING_SCRIPT")/expected.json" \
    "$CAIRN_BINDING_TRANSCRIPT" "$CAIRN_BINDING_SCRIPT" || status=1
fi
exit $status
