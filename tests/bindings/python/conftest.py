"""Fixtures: store configs on both backends (a fresh memory store per test,
a redb file in ``tmp_path``)."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import cairn  # noqa: E402


@pytest.fixture
def memory_config() -> cairn.Config:
    return {"store": {"backend": ":memory", "id": f"py-{uuid.uuid4()}"}}


@pytest.fixture
def redb_config(tmp_path: Path) -> cairn.Config:
    return {"store": {"backend": ":redb", "path": str(tmp_path / "cairn.redb")}}


@pytest.fixture(params=["memory", "redb"])
def config(request: Any, tmp_path: Path) -> cairn.Config:
    if request.param == "memory":
        return {"store": {"backend": ":memory", "id": f"py-{uuid.uuid4()}"}}
    return {"store": {"backend": ":redb", "path": str(tmp_path / "cairn.redb")}}
