"""The data file read for a load, its events made ready to write a chunk at a time.

A small file is read here, between the chunks' writes. A big one is read in a helper process:
parsing, checking and preparing its events (search words, days, the columns' values) is Python's
work and needs the GIL, while writing them is SQLite's, and on two cores the two then run side
by side instead of taking turns. A thread would not do: each row SQLite writes waits for the GIL.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import pickle
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from bot.chronology.reader import ChronologyError, ChronologyReader
from bot.store.rows import PreparedEvent, prepare_chunks

log = logging.getLogger(__name__)

# Below this a file loads in a few seconds: not worth a process's start (about half a second).
HELPER_MIN_BYTES = 16 << 20
HELPER_FAILED = "the helper process reading the file stopped before it was done"
FRAME_LIMIT = 1 << 24  # the stream's buffer: a chunk is a megabyte of the file, its pickle a few
PROJECT = str(Path(__file__).resolve().parents[2])  # where the helper imports `bot` from
HELPER_ARGUMENTS = ("-m", __name__)  # Python runs this module's last lines, given a file and its hash


class PreparedFile:
    """`chunks()` gives the events of `path`, checked and ready to write; raises ChronologyError
    at the end if any entry is bad (after every chunk before it was given). `count` is set when
    they have all been given."""

    def __init__(self, path: Path, fingerprint: str, *, helper: bool | None = None) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.count = 0
        self.helper = helper if helper is not None else _size(path) >= HELPER_MIN_BYTES

    def chunks(self) -> AsyncIterator[list[PreparedEvent]]:
        return self._from_helper() if self.helper else self._here()

    async def _here(self) -> AsyncIterator[list[PreparedEvent]]:
        reader = ChronologyReader(self.path, expected=self.fingerprint)
        for chunk in prepare_chunks(reader.chunks()):
            yield chunk
        self.count = reader.count

    async def _from_helper(self) -> AsyncIterator[list[PreparedEvent]]:
        # A fresh interpreter running this module, not multiprocessing: its spawn would import
        # the caller's main module again, and fork would copy the store's running threads.
        helper = await asyncio.create_subprocess_exec(
            sys.executable,
            *HELPER_ARGUMENTS,
            str(self.path),
            self.fingerprint,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=os.environ
            | {"PYTHONPATH": os.pathsep.join(filter(None, (PROJECT, os.environ.get("PYTHONPATH"))))},
            limit=FRAME_LIMIT,
        )
        assert helper.stdout is not None and helper.stderr is not None
        errors = asyncio.ensure_future(helper.stderr.read())
        try:
            while True:
                try:
                    size = int.from_bytes(await helper.stdout.readexactly(8), "big")
                    kind, payload = pickle.loads(await helper.stdout.readexactly(size))
                except asyncio.IncompleteReadError:
                    said = (await errors).decode("utf-8", "replace").strip().splitlines()
                    log.error(
                        "the load's helper process stopped: %s", said[-1] if said else "no reason given"
                    )
                    raise ChronologyError(self.path, [HELPER_FAILED]) from None
                if kind == "chunk":
                    yield payload
                elif kind == "done":
                    self.count = payload
                    return
                else:
                    raise ChronologyError(self.path, payload)
        finally:
            if helper.returncode is None:
                helper.kill()  # nobody wants the rest: the load failed or was cancelled
            await helper.wait()
            errors.cancel()


def read_prepared(path: Path, fingerprint: str, out: BinaryIO) -> None:
    """The helper process: each chunk of the file sent as it is ready, then ("done", count), or
    ("problems", [...]) for a file that cannot be loaded; each a pickle after its length."""

    def send(message: tuple[str, object]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "big") + data)

    gc.disable()  # millions of objects, none in a cycle; the process ends when the file does
    try:
        reader = ChronologyReader(path, expected=fingerprint)
        for chunk in prepare_chunks(reader.chunks()):
            send(("chunk", chunk))
        send(("done", reader.count))
    except ChronologyError as error:
        send(("problems", error.problems))
    out.flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


if __name__ == "__main__":  # the helper: python -m bot.chronology.prepared PATH FINGERPRINT
    # the loading process may stop listening (its load failed): then there is nothing to tell
    with contextlib.suppress(BrokenPipeError):
        read_prepared(Path(sys.argv[1]), sys.argv[2], sys.stdout.buffer)
