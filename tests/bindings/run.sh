#!/usr/bin/env bash
# Runs every generated binding against the real runtime: builds the cdylib
# and the `cairn` binary, writes the shared script and the Rust reference
# transcript, runs the Python, TypeScript and Java test suites (each also
# runs the script and writes its transcript), and compares every transcript
# with the reference. Prints one `binding-tests-<lang>: N passed, M failed`
# line per language and one `bindings-<lang>: ...` line per comparison.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/bindings
rm -rf "$out" && mkdir -p "$out/work"
cargo build --release -q -p cairn-ffi --lib || exit 1
cargo build --release -q -p cairn --bin cairn -p cairn-tests --bin binding-script || exit 1
lib=$(ls "$target"/release/libcairn_ffi.so "$target"/release/libcairn_ffi.dylib 2>/dev/null | head -1)
export CAIRN_LIB=$lib CAIRN_BIN=$target/release/cairn CAIRN_BINDING_SCRIPT=$out/script.json
(cd "$out/work" && "$target/release/binding-script" "$out") || exit 1
status=0
for lang in python typescript java; do
  echo "== bindings: $lang"
  mkdir -p "$out/work-$lang"
  export CAIRN_BINDING_TRANSCRIPT=$out/$lang.json
  log=$out/$lang.log
  if (cd "$out/work-$lang" && bash "$root/tests/bindings/$lang/run.sh") >"$log" 2>&1; then rc=0; else rc=1; fi
  tail -n 40 "$log"
  # Each runner's own summary, normalized.
  case $lang in
    python) p=$(grep -Eo '[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+'); f=$(grep -Eo '[0-9]+ failed' "$log" | tail -1 | grep -Eo '[0-9]+') ;;
    typescript) p=$(grep -Eo '^# pass [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+'); f=$(grep -Eo '^# fail [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+') ;;
    java) p=$(grep -Eo '^[0-9]+ passed' "$log" | tail -1 | grep -Eo '[0-9]+'); f=$(grep -Eo '[0-9]+ failed$' "$log" | tail -1 | grep -Eo '[0-9]+') ;;
  esac
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  echo "binding-tests-$lang: $p passed, $f failed"
  [ "$rc" -eq 0 ] || status=1
  if [ -f "$CAIRN_BINDING_TRANSCRIPT" ]; then
    python3 tests/bindings/compare.py "$out/expected.json" "$CAIRN_BINDING_TRANSCRIPT" "$out/script.json" || status=1
  else
    echo "bindings-$lang: 0 passed, 1 failed (no transcript written)"
    status=1
  fi
done
exit $status
