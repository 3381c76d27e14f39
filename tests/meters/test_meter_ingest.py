"""The set-based ingest: a valid file's rows written once, in the lake partition's layout, which
the partition step copies byte for byte; one keyed hash per distinct GSRN; a file read in many
batches gives the rows and the label that one batch gives."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipelines.lib.meter_lake import Lake
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY
from sources.meter_feed import validate as V
from sources.meter_feed.validate import Limits, pseudonym, validate_file
from tests.helpers.meter_files import COLUMNS, kwh_text, points, rows, write_csv

KEY = DEMO_METER_PSEUDONYM_KEY.encode()
MONTH = date(2025, 2, 1)
FLATS = (("hushall_lagenhet", 1.0),)


def values(count: int = 3) -> list[dict]:
    pts = points("el", count, seed=3, quarter_hour_share=0.0, mix=FLATS)
    return list(rows(MONTH, pts, seed=3))


def unlabelled_csv(path: Path, values: list[dict], synthetic_from: int) -> Path:
    """A CSV without the SYNTHETIC comment whose `syntetisk` column says ja only from row
    `synthetic_from` on (0-based): the label comes late in the file."""
    lines = [";".join(COLUMNS)]
    for i, r in enumerate(values):
        kwh = "" if r["wh"] is None else kwh_text(r["wh"])
        cells = [r[c] for c in COLUMNS[:7]] + [kwh, r["kvalitet"]]
        lines.append(";".join([*cells, "ja" if i >= synthetic_from else "nej"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_partition_is_the_validators_file_byte_for_byte(tmp_path):
    source = write_csv(tmp_path / "el.csv", values())
    out, sha = tmp_path / "rows.parquet", "ab" * 32
    result = validate_file(source, out_path=out, key=KEY, file_sha256=sha)
    assert result.ok, result.report()
    metadata = pq.read_metadata(out).metadata
    assert {k: metadata[k.encode()].decode() for k in ("file_sha256", "medium", "month")} == {
        "file_sha256": sha,
        "medium": "el",
        "month": "2025-02",
    }
    assert (metadata[b"points"], metadata[b"intervals"]) == (b"3", str(3 * 672).encode())
    assert int(metadata[b"wh"]) == result.wh_total == sum(r["wh"] for r in values())
    written = Lake(str(tmp_path / "lake")).write_partition(
        "el", MONTH, out, file_sha256=sha, is_synthetic=True, work_dir=tmp_path
    )
    assert hashlib.sha256(Path(written.path).read_bytes()).digest() == (
        hashlib.sha256(out.read_bytes()).digest()
    )
    revision = written.revision
    assert (revision.points, revision.intervals, revision.wh) == (3, 3 * 672, result.wh_total)
    # Plain strings for any reader (no Arrow dictionary types stored in the file).
    schema = pq.read_schema(written.path)
    assert str(schema.field("point_id").type) == "string"
    assert schema.names == [
        "point_id",
        "riktning",
        "natomrade",
        "kundkategori",
        "start_utc",
        "resolution_min",
        "wh",
        "kvalitet",
        "is_synthetic",
        "file_sha256",
    ]


def test_one_keyed_hash_per_distinct_gsrn(tmp_path, monkeypatch):
    calls = []

    def counted(key: bytes, gsrn: str) -> str:
        calls.append(gsrn)
        return pseudonym(key, gsrn)

    monkeypatch.setattr(V, "pseudonym", counted)
    sent = values(4)
    # Many batches: a 4 KiB block is a few dozen lines, so every point comes back batch after batch.
    result = validate_file(
        write_csv(tmp_path / "el.csv", sent),
        out_path=tmp_path / "rows.parquet",
        key=KEY,
        limits=Limits(block_bytes=4096),
    )
    assert result.ok and result.rows == 4 * 672
    assert sorted(calls) == sorted({r["matpunkt"] for r in sent})


def test_a_label_late_in_the_file_labels_every_row(tmp_path):
    sent = values(2)
    out = tmp_path / "rows.parquet"
    result = validate_file(
        unlabelled_csv(tmp_path / "late.csv", sent, synthetic_from=len(sent) - 10),
        out_path=out,
        key=KEY,
        file_sha256="cd" * 32,
        limits=Limits(block_bytes=4096),
    )
    assert result.ok and result.is_synthetic, result.report()
    labels = duckdb.sql(
        f"select is_synthetic, count(*), sum(wh) from read_parquet('{out}') group by all"
    ).fetchall()
    assert labels == [(True, len(sent), sum(r["wh"] for r in sent))]
    metadata = pq.read_metadata(out).metadata
    assert metadata[b"is_synthetic"] == b"true" and metadata[b"file_sha256"] == b"cd" * 32
    # The same file in one batch: the same rows, in the same order.
    again = tmp_path / "again.parquet"
    assert validate_file(tmp_path / "late.csv", out_path=again, key=KEY, file_sha256="cd" * 32).ok
    assert (
        duckdb.sql(
            f"select * from read_parquet('{out}') except all select * from read_parquet('{again}')"
        ).fetchall()
        == []
    )
