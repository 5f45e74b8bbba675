"""Runs the shared binding script (tests/bindings/README.md) through the
typed Python API and writes the transcript.

Every step calls the generated function of its op (``cairn.OP_NAMES`` maps
spec names to function names) with the step's arguments positionally, after
replacing ``{"$var": name}`` placeholders by saved or bound values.

    python script_runner.py SCRIPT.json TRANSCRIPT.json

or with ``CAIRN_BINDING_SCRIPT`` / ``CAIRN_BINDING_TRANSCRIPT`` set.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import cairn


class Unbound(Exception):
    """A ``{"$var": name}`` placeholder names nothing saved or bound."""


def substitute(value: Any, env: dict[str, Any]) -> Any:
    """``value`` with every ``{"$var": name}`` replaced by ``env[name]``."""
    if isinstance(value, dict):
        if len(value) == 1 and "$var" in value:
            name = value["$var"]
            if name not in env:
                raise Unbound(name)
            return env[name]
        return {k: substitute(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, env) for v in value]
    return value


def at_path(value: Any, path: list[Any]) -> tuple[bool, Any]:
    """The value at ``path`` (object keys, array indexes), if there is one."""
    for p in path:
        if isinstance(p, str) and isinstance(value, dict) and p in value:
            value = value[p]
        elif isinstance(p, int) and isinstance(value, list) and 0 <= p < len(value):
            value = value[p]
        else:
            return False, None
    return True, value


def plain(value: Any) -> Any:
    """A result as plain JSON (handle objects are dicts already)."""
    return json.loads(json.dumps(value))


def run_case(case: dict[str, Any]) -> list[dict[str, Any]]:
    """One transcript entry per step of ``case``."""
    env: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for step in case["steps"]:
        try:
            args = substitute(step.get("args", []), env)
        except Unbound:
            out.append({"error": "unbound"})
            continue
        name = cairn.OP_NAMES.get(step["op"])
        if name is None:
            out.append({"error": "unsupported-op"})
            continue
        fn = getattr(cairn, name)
        try:
            result = fn(*args)
        except cairn.CairnError as e:
            out.append({"error": e.kind})
            continue
        except Exception as e:  # a binding bug: show it in the transcript
            out.append({"error": f"python:{type(e).__name__}: {e}"})
            continue
        result = plain(result)
        if step.get("save"):
            env[step["save"]] = result
        for var, path in (step.get("bind") or {}).items():
            found, v = at_path(result, path)
            if found:
                env[var] = v
        out.append({"ok": result})
    return out


def run_script(script: dict[str, Any]) -> dict[str, Any]:
    """The transcript of every case of ``script`` that targets Python."""
    cases = {}
    for case in script["cases"]:
        if "python" in case.get("targets", []):
            cases[case["id"]] = run_case(case)
    return {"binding": "python", "cases": cases}


def run_files(script_path: str, transcript_path: str) -> dict[str, Any]:
    """Reads the script, runs it, writes the transcript; returns it."""
    with open(script_path, encoding="utf-8") as f:
        script = json.load(f)
    transcript = run_script(script)
    with open(transcript_path, "w", encoding="utf-8") as f:
        json.dump(transcript, f, indent=1, ensure_ascii=False)
    return transcript


def main(argv: list[str]) -> int:
    script = argv[1] if len(argv) > 1 else os.environ.get("CAIRN_BINDING_SCRIPT")
    transcript = argv[2] if len(argv) > 2 else os.environ.get("CAIRN_BINDING_TRANSCRIPT")
    if not script or not transcript:
        print(__doc__, file=sys.stderr)
        return 2
    t = run_files(script, transcript)
    steps = sum(len(v) for v in t["cases"].values())
    print(f"python transcript: {len(t['cases'])} cases, {steps} steps -> {transcript}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
