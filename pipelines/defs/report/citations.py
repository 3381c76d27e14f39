"""Footnotes for the yearly report: every number cites the mart it was read from, its source and
its vintage. Plain Python, no Dagster."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    source_id: str
    vintage: str
    mart: str


@dataclass
class Citations:
    """Numbers footnotes in order of first use; the same source, vintage and mart share one."""

    source_names: dict[str, str] = field(default_factory=dict)  # source_id -> "name (publisher)"
    order: list[Citation] = field(default_factory=list)

    def cite(self, source_id: str | None, vintage, mart: str) -> int:
        citation = Citation(
            source_id or "okänd källa", "" if vintage is None else str(vintage), mart
        )
        if citation not in self.order:
            self.order.append(citation)
        return self.order.index(citation) + 1

    def notes(self) -> list[dict]:
        return [
            {
                "number": i,
                "source": self.source_names.get(c.source_id, c.source_id),
                "source_id": c.source_id,
                "vintage": c.vintage,
                "mart": c.mart,
            }
            for i, c in enumerate(self.order, start=1)
        ]
