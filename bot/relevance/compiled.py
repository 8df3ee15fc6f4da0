"""Machine code for the loops that numpy cannot fuse, compiled by numba on first use: the
decorator every such loop wears, the processor instructions they call (popcount, trailing zeros,
prefetch), and a bisection. The loops live beside what they serve: bot/relevance/edits.py and
nearness.py, bot/search/gathering.py, selection.py and matching.py.

Each loop is plain Python over numpy arrays and numbers, so that numba can compile it; the
compiled code is cached on disk, in a folder named for the sources of every module that holds
such loops (under NUMBA_CACHE_DIR, else beside the modules or in the user's cache folder), so
only a process that finds no cache pays the compilation, a few seconds, and no process loads
code its sources no longer say.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
import numpy as np
from llvmlite import ir
from numba.core import caching as _caching
from numba.core import cgutils as _cgutils
from numba.core import config as _config
from numba.core import types
from numba.extending import intrinsic

Function = TypeVar("Function", bound=Callable[..., Any])
cgutils: Any = _cgutils  # numba's code-generation helpers, untyped
numba_config: Any = _config  # numba's settings, untyped

BOT_PACKAGE = Path(__file__).resolve().parent.parent
COMPILED_PACKAGES = ("relevance", "search")  # every module with compiled loops is in one (a test checks)
_FOLDER_PREFIX = "almanac-"


def sources_digest(root: Path = BOT_PACKAGE) -> str:
    """A digest of every module of the packages that hold compiled loops. numba finds a cached
    loop stale only when the loop's own file changes: a loop whose callee changed in another
    file would load the old callee's machine code with its own."""
    digest = hashlib.sha256()
    for package in COMPILED_PACKAGES:
        for path in sorted((root / package).glob("*.py")):
            digest.update(f"{package}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_bases() -> list[Path]:
    """Where the cache may go, best first: NUMBA_CACHE_DIR when set; else beside the modules, as
    numba's own default, then the user's cache folder where the package's is read-only."""
    if numba_config.CACHE_DIR:
        return [Path(numba_config.CACHE_DIR)]
    bases = [BOT_PACKAGE / "__pycache__" / "numba"]
    with contextlib.suppress(RuntimeError):  # no home folder to be found
        bases.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "almanac" / "numba")
    return bases


def _cache_by_sources() -> None:
    """numba's cache in a folder named for `sources_digest`, under the first of `_cache_bases`
    that can be written; making one deletes those of earlier sources. Where none can, numba
    keeps its own default."""
    folder_name = f"{_FOLDER_PREFIX}{sources_digest()}"
    for base in _cache_bases():
        folder = base / folder_name
        try:
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                for earlier in base.glob(f"{_FOLDER_PREFIX}*"):
                    if earlier != folder:
                        shutil.rmtree(earlier, ignore_errors=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            numba_config.CACHE_DIR = str(folder)
            return


_cache_by_sources()  # before any loop below is compiled


def _saved_if_possible(save: Callable[..., None]) -> Callable[..., None]:
    """numba's cache write, whose failure (a full disk, a file-size limit) would otherwise end
    the question that compiled the loop, or the start: the loop is simply compiled again next time."""

    def saving(cache: Any, signature: Any, data: Any) -> None:
        with contextlib.suppress(OSError):
            save(cache, signature, data)

    return saving


setattr(_caching.Cache, "save_overload", _saved_if_possible(_caching.Cache.save_overload))  # noqa: B010


COMPILED: list[Any] = []  # every compiled function: bot/search/warming.py readies them all


def compiled(function: Function) -> Function:
    """`function` as machine code: no Python objects, no global interpreter lock held."""
    dispatcher = numba.njit(cache=True, nogil=True)(function)
    COMPILED.append(dispatcher)
    return cast(Function, dispatcher)


def _bit_count(typing_context: Any, mask: Any) -> Any:
    """How many bits of a 64-bit mask are set: the processor's own instruction (LLVM's ctpop)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.ctpop(arguments[0])

    return types.uint64(types.uint64), generate


bit_count = cast(Callable[[np.uint64], np.uint64], intrinsic(_bit_count))


def _trailing_zeros(typing_context: Any, mask: Any) -> Any:
    """How many bits of a 64-bit mask, not 0, are clear below its lowest set one (LLVM's cttz)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        return builder.cttz(arguments[0], ir.Constant(ir.IntType(1), 1))

    return types.uint64(types.uint64), generate


trailing_zeros = cast(Callable[[np.uint64], np.uint64], intrinsic(_trailing_zeros))


def _prefetch(typing_context: Any, values: Any, index: Any) -> Any:
    """Ask the processor to bring `values[index]` into its cache, without waiting for it
    (LLVM's prefetch: for reading, kept close, data)."""

    def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        kind = signature.args[0]
        held = context.make_array(kind)(context, builder, arguments[0])
        address = cgutils.get_item_pointer(context, builder, kind, held, [arguments[1]])
        byte_address = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        declared = ir.FunctionType(ir.VoidType(), [byte_address, int32, int32, int32])
        fetch = cgutils.get_or_insert_function(builder.module, declared, "llvm.prefetch.p0i8")
        flags = [ir.Constant(int32, value) for value in (0, 3, 1)]
        builder.call(fetch, [builder.bitcast(address, byte_address), *flags])
        return context.get_dummy_value()

    return types.void(values, index), generate


prefetch = cast(Callable[[np.ndarray, int], None], intrinsic(_prefetch))


@compiled
def bisect_left(values: np.ndarray, target: int, low: int, high: int) -> int:
    """The first place in values[low:high] (sorted) whose value is not below `target`."""
    while low < high:
        middle = (low + high) >> 1
        if np.int64(values[middle]) < target:
            low = middle + 1
        else:
            high = middle
    return low
