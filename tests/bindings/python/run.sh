#!/usr/bin/env bash
# The Python binding's tests: a venv under the target dir with pytest and
# mypy (from PyPI) and the generated package (generated/python), the
# cairn-ffi library (built here unless CAIRN_LIB names one), then pytest,
# whose summary line ("N passed ...") ends the output.
#
# The shared script runs as one of the tests: CAIRN_BINDING_SCRIPT names
# script.json and CAIRN_BINDING_TRANSCRIPT the transcript to write (as
# tests/bindings/run.sh sets them). Run alone, this script writes both
# itself (with the binding-script program) and compares the transcript with
# the reference afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
python=${PYTHON:-python3}
venv=$target/py-venv
standalone=0

if [ -z "${CAIRN_LIB:-}" ]; then
  (cd "$root" && cargo build --release -q -p cairn-ffi)
  for f in libcairn_ffi.so libcairn_ffi.dylib cairn_ffi.dll; do
    if [ -f "$target/release/$f" ]; then export CAIRN_LIB=$target/release/$f; fi
  done
fi
if [ -z "${CAIRN_BINDING_SCRIPT:-}" ]; then
  standalone=1
  out=$target/bindings-python
  rm -rf "$out" && mkdir -p "$out/work"
  (cd "$root" && cargo build --release -q -p cairn-tests --bin binding-script)
  (cd "$out/work" && "$target/release/binding-script" "$out" >/dev/null)
  export CAIRN_BINDING_SCRIPT=$out/script.json CAIRN_BINDING_TRANSCRIPT=$out/python.json
fi

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
"${pip[@]}" pytest mypy "setuptools>=70.1"
# Install from a copy so no build/ or *.egg-info lands in generated/.
src=$target/py-build/cairn-src
rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$root/generated/python" "$src"
"${pip[@]}" --no-build-isolation --no-deps --force-reinstall "$src"

status=0
# Files the spec examples write (export-db's export.edn) land in a scratch
# folder, never in the caller's working directory.
if [ "$standalone" -eq 1 ]; then cd "$out/work"; fi
"$venv/bin/python" -m pytest -p no:cacheprovider -q "$here" || status=$?
if [ "$standalone" -eq 1 ]; then
  python3 "$root/tests/bindings/compare.py" "$out/expected.json" "$CAIRN_BINDING_TRANSCRIPT" "$out/script.json" || true
fi
exit $status
