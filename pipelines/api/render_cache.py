"""Answers rendered once per build: a bounded store of whole responses (status, headers, body),
keyed by build id and request. A build changes a few times a year and every answer of the API is
a function of its build and its URL, so after the first request for a URL a request is a lookup.

Entries of one build only: the first entry of a new build drops the older builds' entries, so
memory holds one build's answers, at most `max_bytes` of them (least recently used go first)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Entry:
    """An answer as sent: every header (Content-Length too), the body, and its 304's headers."""

    status: int
    headers: Headers
    body: bytes
    etag: bytes
    not_modified: Headers

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class RenderCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.build_id: str | None = None
        self.used = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()

    def get(self, build_id: str, key: tuple) -> Entry | None:
        if build_id != self.build_id:
            return None
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, build_id: str, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return  # one answer may not push out most of the others
        if build_id != self.build_id:  # the caller stores answers of the current build only
            self._entries.clear()
            self.used, self.build_id = 0, build_id
        old = self._entries.pop(key, None)
        if old is not None:
            self.used -= old.size
        self._entries[key] = entry
        self.used += entry.size
        while self.used > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.used -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)
