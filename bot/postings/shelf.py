"""Every event's pieces (its encoded words, its title) kept in one growing buffer.

A million events' words as a million `bytes` objects, and their titles as a million strings,
cost some 50 bytes each beside their contents (the object's header and the list's pointer):
80 MB at a million events. Here each kind is one bytearray, with a start and a size per event
id. A replaced or removed piece stays where it was until the dead bytes outweigh the live ones;
then the shelf is packed again, in event order.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

_NONE = -1  # the size of an event id with nothing shelved
_PACK_AT = 1 << 20  # dead bytes below this are never worth a packing
_PACK_CHUNK = 8_192  # pieces moved at a time while packing: bounds its scratch memory
FEW = 256  # titles read one slice each, below the gather's fixed cost
JOIN_CHUNK = 65_536  # pieces gathered at a time by `joined`: bounds its scratch memory


class Shelf:
    """Bytes by event id; `None` for an id with nothing shelved."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._starts = array("q")
        self._sizes = array("i")
        self._dead = 0  # bytes of pieces since replaced or removed

    def __len__(self) -> int:
        """How many event ids it has room for (0 up to this)."""
        return len(self._sizes)

    def __contains__(self, event_id: int) -> bool:
        return 0 <= event_id < len(self._sizes) and self._sizes[event_id] != _NONE

    def __getitem__(self, event_id: int) -> bytes | None:
        size = self._sizes[event_id]
        if size == _NONE:
            return None
        start = self._starts[event_id]
        with memoryview(self._data) as view:  # released at once: a held view stops the buffer growing
            return bytes(view[start : start + size])

    def grow(self, count: int) -> None:
        """Room for `count` more event ids."""
        self._starts.extend(array("q", [0]) * count)
        self._sizes.extend(array("i", [_NONE]) * count)

    def put(self, event_id: int, piece: bytes) -> None:
        self.drop(event_id)
        self._starts[event_id] = len(self._data)
        self._sizes[event_id] = len(piece)
        self._data += piece

    def put_many(self, event_ids: npt.NDArray[np.int64], data: bytes, sizes: npt.NDArray[np.int64]) -> None:
        """`put` for many event ids at once: their pieces end to end in `data`, of `sizes`."""
        old = np.frombuffer(self._sizes, dtype=np.int32)[event_ids]
        self._dead += int(old[old != _NONE].sum())
        np.frombuffer(self._starts, dtype=np.int64)[event_ids] = len(self._data) + np.cumsum(sizes) - sizes
        np.frombuffer(self._sizes, dtype=np.int32)[event_ids] = sizes
        self._data += data
        if self._dead > max(_PACK_AT, len(self._data) // 2):
            self._pack()

    def drop(self, event_id: int) -> None:
        size = self._sizes[event_id]
        if size == _NONE:
            return
        self._sizes[event_id] = _NONE
        self._dead += size
        if self._dead > max(_PACK_AT, len(self._data) // 2):
            self._pack()

    def few(self, event_ids: npt.NDArray[np.int64]) -> list[bytearray]:
        """The pieces of a few event ids (empty for an id without one), each sliced on its own: for
        an answer's few dozen, cheaper than `joined`'s gather."""
        starts = np.frombuffer(self._starts, dtype=np.int64)[event_ids].tolist()
        sizes = np.frombuffer(self._sizes, dtype=np.int32)[event_ids].tolist()
        data = self._data
        return [
            data[start : start + size] if size > 0 else bytearray()
            for start, size in zip(starts, sizes, strict=True)
        ]

    def joined(self, event_ids: npt.NDArray[np.int64]) -> tuple[bytes, npt.NDArray[np.int64]]:
        """The pieces of these event ids end to end (none for an id without one), and their sizes."""
        sizes = np.maximum(np.frombuffer(self._sizes, dtype=np.int32)[event_ids], 0).astype(np.int64)
        starts = np.frombuffer(self._starts, dtype=np.int64)[event_ids]
        data = np.frombuffer(self._data, dtype=np.uint8)
        # a chunk of ids at a time: the gather's positions take eight bytes for each byte read,
        # which for a million titles at once was half a gigabyte as the bot started
        pieces = []
        for first in range(0, len(event_ids), JOIN_CHUNK):
            chunk_sizes, chunk_starts = sizes[first : first + JOIN_CHUNK], starts[first : first + JOIN_CHUNK]
            ends = np.cumsum(chunk_sizes)
            reach = int(ends[-1]) if len(ends) else 0
            positions = np.repeat(chunk_starts - ends + chunk_sizes, chunk_sizes) + np.arange(reach)
            pieces.append(data[positions].tobytes())
        return b"".join(pieces), sizes

    def packed(self) -> tuple[bytes, npt.NDArray[np.int64]]:
        """Every piece end to end in event order, and each event id's size (0: nothing)."""
        self._pack()
        sizes = np.frombuffer(self._sizes, dtype=np.int32).astype(np.int64)
        return bytes(self._data), np.maximum(sizes, 0)

    @classmethod
    def unpacked(cls, data: bytes, sizes: npt.NDArray[np.int64], present: npt.NDArray[np.bool_]) -> Shelf:
        """The shelf `packed` gave `data` and `sizes` of, with a piece for each `present` id."""
        if len(sizes) != len(present) or int(sizes.sum()) != len(data) or (sizes < 0).any():
            raise ValueError("pieces that do not add up")
        if (sizes[~present] != 0).any():
            raise ValueError("a piece for an event not indexed")
        shelf = cls()
        shelf._data = bytearray(data)
        shelf._starts = array("q", (np.cumsum(sizes) - sizes).astype(np.int64).tobytes())
        shelf._sizes = array("i", np.where(present, sizes, _NONE).astype(np.int32).tobytes())
        return shelf

    def _pack(self) -> None:
        if not self._dead:
            return
        live = np.flatnonzero(np.frombuffer(self._sizes, dtype=np.int32) != _NONE)
        data, starts = bytearray(), np.empty(len(live), dtype=np.int64)
        for first in range(0, len(live), _PACK_CHUNK):  # `joined` a chunk at a time, in event order
            pieces, sizes = self.joined(live[first : first + _PACK_CHUNK])
            starts[first : first + len(sizes)] = len(data) + np.cumsum(sizes) - sizes
            data += pieces
        np.frombuffer(self._starts, dtype=np.int64)[live] = starts
        self._data, self._dead = data, 0


class Titles:
    """The events' titles on a shelf, as UTF-8."""

    def __init__(self, shelf: Shelf | None = None) -> None:
        self.shelf = shelf or Shelf()

    def get(self, event_id: int) -> str:
        """The title, or "" when the event is not indexed."""
        found = self.shelf[event_id] if 0 <= event_id < len(self.shelf) else None
        return "" if found is None else found.decode("utf-8", "surrogatepass")

    def many(self, event_ids: npt.NDArray[np.int64]) -> list[str]:
        """The titles of these indexed events, read in one go (ties between thousands are broken
        by title)."""
        if len(event_ids) <= FEW:
            return [piece.decode("utf-8", "surrogatepass") for piece in self.shelf.few(event_ids)]
        return list(self._each(event_ids))

    def _each(self, event_ids: npt.NDArray[np.int64]) -> Iterator[str]:
        """The titles of these events, in their order, one string made at a time."""
        if not len(event_ids):
            return
        joined, sizes = self.shelf.joined(event_ids)
        ends = np.cumsum(sizes).tolist()
        for start, end in zip([0, *ends[:-1]], ends, strict=True):
            yield joined[start:end].decode("utf-8", "surrogatepass")

    def ranks(self, event_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        """Each event's place among these in the order ties are broken in: title, then id."""
        # by id first, then a stable sort by title: no (title, id) pair made for each of a
        # million events, and only one string each (this runs as the bot starts, at its peak)
        if not len(event_ids):
            return np.empty(0, dtype=np.int32)
        by_id = np.argsort(event_ids, kind="stable")
        lowered = np.empty(len(event_ids), dtype=object)
        lowered[:] = [title.lower() for title in self._each(event_ids[by_id])]
        order = by_id[np.argsort(lowered, kind="stable")]
        ranks = np.empty(len(event_ids), dtype=np.int32)
        ranks[order] = np.arange(len(event_ids), dtype=np.int32)
        return ranks

    def put(self, event_id: int, title: str) -> None:
        self.shelf.put(event_id, title.encode("utf-8", "surrogatepass"))
