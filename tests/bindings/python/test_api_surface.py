"""The generated surface: one typed, documented function per Python op,
documented types, PEP 561 typing that passes ``mypy --strict``."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest

import cairn
from cairn import api, types


def functions() -> list[tuple[str, typing.Any]]:
    return [(name, getattr(api, name)) for name in api.__all__]


def test_one_function_per_op_with_pythonic_names() -> None:
    assert sorted(cairn.OP_NAMES.values()) == sorted(api.__all__)
    assert cairn.OP_NAMES["database-exists?"] == "database_exists"
    assert cairn.OP_NAMES["pull-many"] == "pull_many"
    assert cairn.OP_NAMES["with"] == "with_tx"
    assert cairn.OP_NAMES["transact"] == "transact"
    # Rust-only ops are not exposed.
    assert "listen" not in cairn.OP_NAMES and not hasattr(cairn, "listen")
    for name in api.__all__:
        assert getattr(cairn, name) is getattr(api, name)


@pytest.mark.parametrize("name", api.__all__)
def test_every_function_is_fully_annotated(name: str) -> None:
    fn = getattr(api, name)
    hints = typing.get_type_hints(fn)
    sig = inspect.signature(fn)
    assert "return" in hints
    for p in sig.parameters.values():
        assert p.name in hints, f"{name}({p.name}) has no type hint"
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if p.default is not inspect.Parameter.empty:
            assert p.default is None
            # Optional arguments accept None.
            assert type(None) in typing.get_args(hints[p.name])


@pytest.mark.parametrize("name", api.__all__)
def test_every_function_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(api, name))
    assert doc is not None
    summary = doc.split("\n")[0]
    assert summary and summary[0].isupper()
    params = inspect.signature(getattr(api, name)).parameters
    if params:
        assert "Args:" in doc
        for p in params:
            assert f"    {p} (" in doc, f"{name}: {p} is not documented"
    assert "Returns:" in doc and "Raises:" in doc and "CairnError" in doc


def test_optional_arguments_and_docs_of_q() -> None:
    sig = inspect.signature(cairn.q)
    assert list(sig.parameters) == ["query", "args", "offset", "limit"]
    assert [p.default for p in sig.parameters.values()][1:] == [None, None, None]
    doc = inspect.getdoc(cairn.q) or ""
    assert doc.startswith("Runs a Datalog query.")
    assert "limit ([:maybe" not in doc and "limit (Long, optional)" in doc


def test_named_types_are_documented_and_shaped() -> None:
    tree = ast.parse(Path(types.__file__).read_text(encoding="utf-8"))
    body = tree.body
    documented: set[str] = set()
    for i, node in enumerate(body):
        nxt = body[i + 1] if i + 1 < len(body) else None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
                documented.add(node.target.id)
        elif isinstance(node, ast.ClassDef) and ast.get_docstring(node):
            documented.add(node.name)
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            if node.targets[0].attr == "__doc__" and isinstance(node.targets[0].value, ast.Name):
                documented.add(node.targets[0].value.id)
    assert set(types.__all__) <= documented, set(types.__all__) - documented
    # Maps are TypedDicts with their wire keys; enums Literals; variants Unions.
    assert typing.is_typeddict(cairn.TxReport)
    assert {"db-before", "db-after", "tx-data", "tempids", "tx"} <= set(cairn.TxReport.__annotations__)
    assert "tx-meta" in cairn.TxReport.__optional_keys__
    assert "keep-history?" in cairn.Config.__annotations__
    assert typing.get_args(cairn.StoreBackend) == (":redb", ":memory")
    assert typing.get_origin(cairn.TimePoint) is typing.Union
    assert cairn.Connection.TAG == "cairn/connection" and cairn.Db.TAG == "cairn/db"
    assert "Schema violation" in (cairn.CairnSchemaError.__doc__ or "")
    assert "identified by" in (cairn.Db.__doc__ or "")


def test_handle_methods_are_annotated() -> None:
    for cls in (cairn.Connection, cairn.Db):
        methods = [m for m in vars(cls) if not m.startswith("_") and callable(vars(cls)[m])]
        assert methods
        for m in methods:
            hints = typing.get_type_hints(getattr(cls, m))
            assert "return" in hints
            assert inspect.getdoc(getattr(cls, m))


def test_package_is_typed() -> None:
    assert (Path(cairn.__file__).parent / "py.typed").is_file()


GOOD = '''
import datetime
import cairn

cfg: cairn.Config = {"store": {"backend": ":memory", "id": "typed"}}
with cairn.connect(cfg) as conn:
    report: cairn.TxReport = cairn.transact(conn, [{"db/id": -1, "name": "Ivan"}])
    db: cairn.Db = report["db-after"]
    ids: dict[str, int] = report["tempids"]
    rows = cairn.q("[:find ?n :where [_ :name ?n]]", [db], limit=10)
    e = cairn.pull(db, ["*"], ids["-1"])
    then = cairn.as_of(db, datetime.datetime(2024, 1, 1))
    n: int = report["tx"]
'''

BAD = '''
import cairn

cfg: cairn.Config = {"store": {"backend": ":mysql"}}
conn = cairn.connect(cfg)
cairn.transact(conn, 42)
cairn.q("[:find ?e]", limit="ten")
'''


def mypy(tmp_path: Path, *target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *target],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def snippet(tmp_path: Path, source: str) -> str:
    f = tmp_path / "snippet.py"
    f.write_text(source, encoding="utf-8")
    return str(f)


def test_mypy_strict_accepts_the_package(tmp_path: Path) -> None:
    r = mypy(tmp_path, "-p", "cairn")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_accepts_typed_use(tmp_path: Path) -> None:
    r = mypy(tmp_path, snippet(tmp_path, GOOD))
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_rejects_wrong_calls(tmp_path: Path) -> None:
    r = mypy(tmp_path, snippet(tmp_path, BAD))
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "snippet.py:4:" in out and "mysql" in out  # not a StoreBackend
    assert "snippet.py:6:" in out and '"transact"' in out  # not a TxInput
    assert "snippet.py:7:" in out and '"q"' in out  # limit is an int
