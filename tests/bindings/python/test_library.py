"""Finding the library and refusing one built for another spec or ABI
(the binding-version mismatch test)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import cairn
from cairn import _native


class FakeLibrary:
    """A library reporting the version and hash it is given."""

    def __init__(self, abi: int, spec_hash: bytes) -> None:
        self.abi, self.spec_hash = abi, spec_hash

    def cairn_abi_version(self) -> int:
        return self.abi

    def cairn_spec_hash(self) -> bytes:
        return self.spec_hash


def test_the_loaded_library_matches_the_binding() -> None:
    lib = cairn.load_library()
    assert lib.cairn_abi_version() == cairn.ABI_VERSION
    assert lib.cairn_spec_hash().decode() == cairn.SPEC_HASH
    assert len(cairn.SPEC_HASH) == 32
    cairn.check_library(lib)
    assert cairn.library_path().is_file()


def test_a_library_with_another_spec_hash_is_refused() -> None:
    other = "0123456789abcdef0123456789abcdef"
    # The real library, against a binding generated from another spec.
    with pytest.raises(cairn.CairnLibraryError) as e:
        cairn.check_library(cairn.load_library(), expected_hash=other, path="libcairn_ffi.so")
    msg = str(e.value)
    assert cairn.SPEC_HASH in msg and other in msg
    assert "cargo build --release -p cairn-ffi" in msg
    assert "cargo run -p cairn-codegen -- generate" in msg
    # A library reporting another spec hash, against this binding.
    with pytest.raises(cairn.CairnLibraryError) as e2:
        cairn.check_library(FakeLibrary(cairn.ABI_VERSION, other.encode()))
    assert other in str(e2.value) and cairn.SPEC_HASH in str(e2.value)
    assert isinstance(e2.value, ImportError)


def test_a_library_with_another_abi_version_is_refused() -> None:
    with pytest.raises(cairn.CairnLibraryError) as e:
        cairn.check_library(cairn.load_library(), expected_abi=cairn.ABI_VERSION + 1)
    assert f"ABI version {cairn.ABI_VERSION}" in str(e.value)
    assert f"ABI version {cairn.ABI_VERSION + 1}" in str(e.value)
    with pytest.raises(cairn.CairnLibraryError, match="ABI version 999"):
        cairn.check_library(FakeLibrary(999, cairn.SPEC_HASH.encode()))
    cairn.check_library(FakeLibrary(cairn.ABI_VERSION, cairn.SPEC_HASH.encode()))


def test_cairn_lib_naming_a_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAIRN_LIB", str(tmp_path / "missing.so"))
    with pytest.raises(cairn.CairnLibraryError, match="CAIRN_LIB=.*missing.so"):
        cairn.find_library()


def test_no_library_tells_how_to_build_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CAIRN_LIB", raising=False)
    monkeypatch.setattr(_native, "library_candidates", lambda: [tmp_path / "nowhere.so"])
    with pytest.raises(cairn.CairnLibraryError) as e:
        cairn.find_library()
    assert "cargo build --release -p cairn-ffi" in str(e.value)
    assert "CAIRN_LIB" in str(e.value) and "nowhere.so" in str(e.value)


def test_found_in_target_above_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = cairn.library_path()
    lib_dir = tmp_path / "repo" / "target" / "debug"
    lib_dir.mkdir(parents=True)
    shutil.copy(real, lib_dir / _native.library_file_name())
    work = tmp_path / "repo" / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.delenv("CAIRN_LIB", raising=False)
    monkeypatch.delenv("CARGO_TARGET_DIR", raising=False)
    monkeypatch.chdir(work)
    assert cairn.find_library() == lib_dir / _native.library_file_name()
    # CARGO_TARGET_DIR comes before the walk up.
    other = tmp_path / "elsewhere"
    (other / "release").mkdir(parents=True)
    shutil.copy(real, other / "release" / _native.library_file_name())
    monkeypatch.setenv("CARGO_TARGET_DIR", str(other))
    assert cairn.find_library() == other / "release" / _native.library_file_name()
    # CAIRN_LIB comes first.
    monkeypatch.setenv("CAIRN_LIB", os.fspath(real))
    assert cairn.find_library() == real
