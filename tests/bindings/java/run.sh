#!/usr/bin/env bash
# The Java binding's tests: builds the cairn-ffi cdylib, compiles the
# generated io.cairn sources and the tests with javac alone (no Maven, no
# dependencies), runs the test runner (last line: "N passed, M failed"),
# and, when CAIRN_BINDING_SCRIPT is set, the shared script runner, which
# writes CAIRN_BINDING_TRANSCRIPT (tests/bindings/README.md). Runs in the
# current directory (the script's relative paths land there).
#
#   tests/bindings/java/run.sh
#   CAIRN_BINDING_SCRIPT=out/script.json CAIRN_BINDING_TRANSCRIPT=out/java.json tests/bindings/java/run.sh
#
# Needs: cargo, a JDK (javac + java, 11 or later).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build --release -q -p cairn-ffi)
lib="${CAIRN_LIB:-}"
if [ -z "$lib" ]; then
  case "$(uname -s)" in
    Darwin) lib="$target/release/libcairn_ffi.dylib" ;;
    MINGW*|MSYS*|CYGWIN*) lib="$target/release/cairn_ffi.dll" ;;
    *) lib="$target/release/libcairn_ffi.so" ;;
  esac
fi
classes="$target/java-classes"
rm -rf "$classes"
mkdir -p "$classes"
find "$root/generated/java/src" "$root/tests/bindings/java/src" -name '*.java' | sort > "$target/java-sources.txt"
javac -Xlint:all -Werror -d "$classes" @"$target/java-sources.txt"
java -cp "$classes" -Dcairn.lib="$lib" io.cairn.test.TestMain
if [ -n "${CAIRN_BINDING_SCRIPT:-}" ]; then
  : "${CAIRN_BINDING_TRANSCRIPT:?set CAIRN_BINDING_TRANSCRIPT to the transcript file to write}"
  java -cp "$classes" -Dcairn.lib="$lib" io.cairn.test.ScriptRunner
fi
