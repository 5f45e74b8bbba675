"""The shared binding script runner (tests/bindings/README.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import cairn
import script_runner


def test_runner_saves_binds_substitutes_and_records_errors(tmp_path: Path) -> None:
    cfg = {"store": {"backend": ":memory", "id": "py-runner"}, "schema-flexibility": ":read"}
    script: dict[str, Any] = {
        "spec-hash": cairn.SPEC_HASH,
        "cases": [
            {
                "id": "mini/people",
                "targets": ["python", "java"],
                "steps": [
                    {"op": "create-database", "args": [cfg]},
                    {"op": "connect", "args": [cfg], "save": "conn"},
                    {
                        "op": "transact",
                        "args": [{"$var": "conn"}, [{"db/id": -1, "name": "Ivan"}]],
                        "bind": {"ivan": ["tempids", "-1"], "nothing": ["no", 0]},
                    },
                    {"op": "db", "args": [{"$var": "conn"}], "save": "db"},
                    {
                        "op": "q",
                        "args": [{"#edn": "[:find ?n . :in $ ?e :where [?e :name ?n]]"}, [{"$var": "db"}, {"$var": "ivan"}]],
                    },
                    {"op": "q", "args": ["[:find ?x :in [?x ...]]", [[1]], 0, 1]},
                    {"op": "q", "args": ["[:find", []]},
                    {"op": "pull", "args": [{"$var": "db"}, ["*"], {"$var": "nothing"}]},
                    {"op": "database-exists?", "args": [cfg]},
                    {"op": "release", "args": [{"$var": "conn"}]},
                    {"op": "delete-database", "args": [cfg]},
                ],
            },
            {"id": "mini/typescript-only", "targets": ["typescript"], "steps": [{"op": "q", "args": []}]},
        ],
    }
    (tmp_path / "script.json").write_text(json.dumps(script))
    out = tmp_path / "transcript.json"
    assert script_runner.main(["runner", str(tmp_path / "script.json"), str(out)]) == 0
    t = json.loads(out.read_text())
    assert t["binding"] == "python"
    assert list(t["cases"]) == ["mini/people"]
    steps = t["cases"]["mini/people"]
    assert len(steps) == 11
    assert "ok" in steps[0]
    assert list(steps[1]["ok"]) == ["cairn/connection"]
    assert steps[4] == {"ok": "Ivan"}
    assert steps[5] == {"ok": [[1]]}
    assert steps[6] == {"error": "syntax"}
    assert steps[7] == {"error": "unbound"}
    assert steps[8] == {"ok": True}
    assert steps[9] == {"ok": None} and steps[10] == {"ok": None}


SCRIPT = os.environ.get("CAIRN_BINDING_SCRIPT")
TRANSCRIPT = os.environ.get("CAIRN_BINDING_TRANSCRIPT")

if SCRIPT and TRANSCRIPT:

    def test_shared_script_writes_the_transcript() -> None:
        assert SCRIPT and TRANSCRIPT
        script = json.loads(Path(SCRIPT).read_text(encoding="utf-8"))
        assert script["spec-hash"] == cairn.SPEC_HASH, "script and binding come from different specs"
        t = script_runner.run_files(SCRIPT, TRANSCRIPT)
        mine = [c for c in script["cases"] if "python" in c["targets"]]
        assert mine and len(t["cases"]) == len(mine)
        for case in mine:
            entries = t["cases"][case["id"]]
            assert len(entries) == len(case["steps"])
            for e in entries:
                # Binding bugs (not runtime errors) show up as python:... kinds.
                assert not str(e.get("error", "")).startswith("python:"), (case["id"], e)
