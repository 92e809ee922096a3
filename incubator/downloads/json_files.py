"""JSON downloads: one document, `meta` first, then the rows as an array of objects whose keys
are the columns' stable codes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from incubator.downloads.cells import ABSENT


class JsonEncoder:
    """One JSON document: `meta` first, then `rows` as an array of objects."""

    def __init__(self, columns: Sequence[str], meta: dict[str, Any]) -> None:
        self.columns = list(columns)
        self.meta = meta
        self._first = True

    def start(self) -> bytes:
        head = json.dumps(self.meta | {"columns": self.columns}, ensure_ascii=False, default=str)
        return (head[:-1] + ', "rows": [').encode("utf-8")

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        parts = []
        for row in rows:
            item = {c: v for c, v in zip(self.columns, row, strict=True) if v is not ABSENT}
            text = json.dumps(item, ensure_ascii=False, default=str)
            parts.append(text if self._first else "," + text)
            self._first = False
        return "\n".join(parts).encode("utf-8")

    def finish(self) -> Iterator[bytes]:
        return iter((b"]}\n",))
