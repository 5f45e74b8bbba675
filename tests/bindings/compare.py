#!/usr/bin/env python3
"""Compares binding transcripts with the Rust runtime's (expected.json).

usage: compare.py EXPECTED TRANSCRIPT [SCRIPT]

Prints `bindings-<name>: N passed, M failed` (one count per case the
binding should run, per SCRIPT's targets) and the first difference of each
failing case; exits 1 on any failure. Handles, transaction instants and
timings are normalized first; numbers compare by value.
"""
import json
import re
import sys

INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
# Timings, sizes, and what depends on transaction instants.
VOLATILE_KEYS = {"t", "t-us", "storage-bytes", "checksum", "db-before", "db-after", "tx-data"}


def normalize(v):
    if isinstance(v, dict):
        if "cairn/db" in v or "cairn/connection" in v:
            return "<handle>"
        return {k: ("<volatile>" if k in VOLATILE_KEYS else normalize(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, str) and INSTANT.match(v):
        return "<inst>"
    return v


def first_diff(a, b, path="$"):
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return f"{path}: expected {json.dumps(a)[:200]}, got {json.dumps(b)[:200]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: present on one side only"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: expected {len(a)} items, got {len(b)}: {json.dumps(b)[:300]}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if a != b:
        return f"{path}: expected {json.dumps(a)[:200]}, got {json.dumps(b)[:200]}"
    return None


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    expected = json.load(open(sys.argv[1]))["cases"]
    got = json.load(open(sys.argv[2]))
    name = got.get("binding", "?")
    wanted = None
    if len(sys.argv) > 3:
        script = json.load(open(sys.argv[3]))
        wanted = [c["id"] for c in script["cases"] if name in c["targets"]]
    ids = wanted if wanted is not None else list(got["cases"])
    passed = failed = 0
    for cid in ids:
        if cid not in got["cases"]:
            failed += 1
            print(f"FAIL [{name}] {cid}: not run")
            continue
        d = first_diff(normalize(expected.get(cid)), normalize(got["cases"][cid]))
        if d:
            failed += 1
            print(f"FAIL [{name}] {cid}: {d}")
        else:
            passed += 1
    print(f"bindings-{name}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
