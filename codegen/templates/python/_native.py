{{ header -}}
"""Loading the cairn-ffi library and calling it over the JSON wire.

The library is looked up, in order:

1. ``CAIRN_LIB``: the path of the library file;
2. a library shipped inside this package's directory;
3. ``$CARGO_TARGET_DIR/{release,debug}``, then ``target/release`` and
   ``target/debug`` in the working directory or any directory above it
   (and above this package).

It is loaded on first use (or by :func:`load_library`), and refused unless
it reports the ABI version and spec hash this package was generated for.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import json
import os
import sys
import threading
import uuid as _uuid
from pathlib import Path
from typing import Any, ClassVar, Mapping, Optional, Protocol, Sequence, TypeVar

from .errors import CairnLibraryError, CairnTypeError, error_from_wire

#: The C ABI version this package was generated for.
ABI_VERSION: int = {{ abi_version }}
#: The hash of the API spec this package was generated from.
SPEC_HASH: str = "{{ spec_hash }}"

BUILD_HINT = (
    "Build it with `cargo build --release -p cairn-ffi` in the Cairn repository "
    "and run from inside the repository, or set CAIRN_LIB to the library's path."
)


def library_file_name() -> str:
    """The file name of the cairn-ffi library on this platform."""
    if sys.platform == "win32":
        return "cairn_ffi.dll"
    if sys.platform == "darwin":
        return "libcairn_ffi.dylib"
    return "libcairn_ffi.so"


def library_candidates() -> list[Path]:
    """Every path :func:`find_library` tries, in order (``CAIRN_LIB`` aside)."""
    name = library_file_name()
    here = Path(__file__).resolve().parent
    out = [here / name]
    target_dir = os.environ.get("CARGO_TARGET_DIR")
    if target_dir:
        out += [Path(target_dir) / "release" / name, Path(target_dir) / "debug" / name]
    for start in (Path.cwd().resolve(), here):
        for d in (start, *start.parents):
            for profile in ("release", "debug"):
                p = d / "target" / profile / name
                if p not in out:
                    out.append(p)
    return out


def find_library() -> Path:
    """The path of the cairn-ffi library to load.

    Raises:
        CairnLibraryError: ``CAIRN_LIB`` names a missing file, or no library
            was found.
    """
    env = os.environ.get("CAIRN_LIB")
    if env:
        p = Path(env)
        if not p.is_file():
            raise CairnLibraryError(f"CAIRN_LIB={env} is not a file. {BUILD_HINT}")
        return p
    candidates = library_candidates()
    for p in candidates:
        if p.is_file():
            return p
    tried = "\n  ".join(str(p) for p in candidates)
    raise CairnLibraryError(
        f"The Cairn library ({library_file_name()}) was not found. {BUILD_HINT}\n"
        f"Looked in:\n  {tried}"
    )


class NativeLibrary(Protocol):
    """What :func:`check_library` asks of a library: its version and hash."""

    def cairn_abi_version(self) -> int: ...

    def cairn_spec_hash(self) -> Any: ...


def check_library(
    lib: NativeLibrary,
    expected_abi: int = ABI_VERSION,
    expected_hash: str = SPEC_HASH,
    path: object = "the library",
) -> None:
    """Refuses a library built for another ABI version or API spec.

    Args:
        lib: The loaded library (anything with ``cairn_abi_version()`` and
            ``cairn_spec_hash()``).
        expected_abi: The ABI version required (this package's by default).
        expected_hash: The spec hash required (this package's by default).
        path: Where the library was loaded from, for the message.

    Raises:
        CairnLibraryError: The library reports another ABI version or spec
            hash; the message names both and how to fix it.
    """
    abi = int(lib.cairn_abi_version())
    raw = lib.cairn_spec_hash()
    found = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    fix = (
        "Rebuild the library from the same spec (`cargo build --release -p cairn-ffi`) "
        "or regenerate and reinstall the binding (`cargo run -p cairn-codegen -- generate`, "
        "then `pip install ./generated/python`)."
    )
    if abi != expected_abi:
        raise CairnLibraryError(
            f"Cairn library {path} has ABI version {abi}, but this binding needs ABI "
            f"version {expected_abi} (library spec hash {found}, binding spec hash "
            f"{expected_hash}). {fix}"
        )
    if found != expected_hash:
        raise CairnLibraryError(
            f"Cairn library {path} was built from API spec {found}, but this binding was "
            f"generated from API spec {expected_hash}. {fix}"
        )


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[Path] = None


def load_library(path: Optional[str | os.PathLike[str]] = None) -> ctypes.CDLL:
    """Loads and checks the library (once; later calls return it).

    Args:
        path: The library file; by default :func:`find_library` picks it.

    Raises:
        CairnLibraryError: No library, one that cannot be loaded, or one
            built for another ABI version or spec.
    """
    global _lib, _lib_path
    with _lock:
        if _lib is not None and path is None:
            return _lib
        p = Path(path) if path is not None else find_library()
        try:
            lib = ctypes.CDLL(str(p))
            lib.cairn_abi_version.restype = ctypes.c_uint32
            lib.cairn_abi_version.argtypes = []
            lib.cairn_spec_hash.restype = ctypes.c_char_p
            lib.cairn_spec_hash.argtypes = []
            lib.cairn_call.restype = ctypes.c_void_p
            lib.cairn_call.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
            lib.cairn_free.restype = None
            lib.cairn_free.argtypes = [ctypes.c_void_p]
        except (OSError, AttributeError) as e:
            raise CairnLibraryError(f"Cannot load the Cairn library {p}: {e}. {BUILD_HINT}") from e
        check_library(lib, path=p)
        _lib, _lib_path = lib, p
        return lib


def library_path() -> Path:
    """The path of the loaded library (loading it if needed)."""
    load_library()
    assert _lib_path is not None
    return _lib_path


class Handle(dict[str, Any]):
    """Base of handle types: the runtime's descriptor ``{TAG: {...}}``."""

    TAG: ClassVar[str] = ""

    @property
    def descriptor(self) -> dict[str, Any]:
        """The descriptor map under :attr:`TAG`."""
        d = self.get(self.TAG)
        return d if isinstance(d, dict) else {}


_handles: dict[str, type[Handle]] = {}


_H = TypeVar("_H", bound=type[Handle])


def register_handle(cls: _H) -> _H:
    """Results holding ``{cls.TAG: ..}`` come back as ``cls`` instances."""
    _handles[cls.TAG] = cls
    return cls


def _decode_object(d: dict[str, Any]) -> Any:
    if len(d) == 1:
        (key,) = d
        cls = _handles.get(key)
        if cls is not None:
            return cls(d)
    return d


def _encode_default(o: object) -> Any:
    if isinstance(o, _dt.datetime):
        from .wire import inst

        return inst(o)
    if isinstance(o, _uuid.UUID):
        return {"#uuid": str(o)}
    if isinstance(o, (set, frozenset)):
        return {"#set": list(o)}
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"{type(o).__name__} cannot cross the JSON wire")


def encode(value: Any) -> str:
    """JSON text of a value under the wire rule: ``datetime``, ``UUID`` and
    ``set`` values become tagged objects, paths become strings.

    Raises:
        CairnTypeError: The value holds something JSON cannot carry.
    """
    try:
        return json.dumps(value, default=_encode_default, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise CairnTypeError("type", f"Cannot send the arguments: {e}") from e


def decode(text: str) -> Any:
    """The value of a JSON answer; handle descriptors become handle objects."""
    return json.loads(text, object_hook=_decode_object)


def call_json(op: str, args_json: Optional[str]) -> str:
    """Calls ``op`` with JSON arguments and returns the JSON answer text."""
    lib = load_library()
    ptr = lib.cairn_call(
        op.encode("utf-8"), None if args_json is None else args_json.encode("utf-8")
    )
    if not ptr:
        raise CairnLibraryError(f"cairn_call({op}) returned NULL")
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib.cairn_free(ptr)


def call(op: str, args: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
    """Calls operation ``op`` (its spec name, e.g. ``"pull-many"``) with
    positional (a sequence) or named (a mapping) arguments.

    Raises:
        CairnError: The runtime refused the call (a subclass per kind).
    """
    text = None if args is None else encode(list(args) if isinstance(args, tuple) else args)
    answer = decode(call_json(op, text))
    if isinstance(answer, dict) and "error" in answer and len(answer) == 1:
        raise error_from_wire(answer["error"])
    if isinstance(answer, dict) and "ok" in answer:
        return answer["ok"]
    raise CairnLibraryError(f"Unexpected answer from cairn_call({op}): {answer!r}")


def call_op(op: str, names: Sequence[str], values: Sequence[Any], required: int) -> Any:
    """Calls ``op`` leaving out optional arguments that are None: positional
    when the ones given are a prefix of the signature, named otherwise."""
    given = [i for i, v in enumerate(values) if i < required or v is not None]
    if given == list(range(len(given))):
        return call(op, [values[i] for i in given])
    return call(op, {names[i]: values[i] for i in given})
