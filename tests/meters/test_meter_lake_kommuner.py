"""The multi-city lake: each kommun writes under its own kommun=<code>/ level, side by side in one
lake, and reads back only its own points; Borlänge's lake from before the level is moved under
kommun=2081."""

from __future__ import annotations

import multiprocessing as mp
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.meter_lake import Lake
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY
from sources.meter_feed.validate import pseudonym, validate_file
from tests.helpers.meter_files import points, rows, write_csv

KEY = DEMO_METER_PSEUDONYM_KEY.encode()
MONTH = date(2025, 1, 1)
FLATS = (("hushall_lagenhet", 1.0),)
# Borlänge and Falun: two cities, disjoint metering points, the same month.
KOMMUNER = {"2081": 0, "2080": 50_000}


def validated_month(folder: Path, kommun: str) -> tuple[Path, str, set[str], int]:
    """A kommun's valid month, validated as the drop does it: (rows file, sha256, GSRNs, Wh)."""
    pts = points("el", 4, seed=7, quarter_hour_share=0.0, mix=FLATS, first_number=KOMMUNER[kommun])
    values = list(rows(MONTH, pts, seed=7))
    sha = kommun * 16
    out = folder / f"{kommun}.parquet"
    result = validate_file(
        write_csv(folder / f"el_{kommun}.csv", values), out_path=out, key=KEY, file_sha256=sha
    )
    assert result.ok, result.report()
    return out, sha, {r["matpunkt"] for r in values}, sum(r["wh"] for r in values)


def write(root: str, kommun: str, rows_file: str, sha: str, work: str, barrier, answers) -> None:
    """One kommun's partition step, in its own process (as its own Dagster step would run)."""
    barrier.wait(timeout=60)  # both start together
    try:
        written = Lake(root, kommun=kommun).write_partition(
            "el", MONTH, Path(rows_file), file_sha256=sha, is_synthetic=True, work_dir=Path(work)
        )
        answers.put((kommun, written.path, written.revision.revision, None))
    except Exception as error:  # noqa: BLE001 - reported to the test, which asserts on it
        answers.put((kommun, None, None, f"{type(error).__name__}: {error}"))


def test_two_kommuner_write_the_same_month_side_by_side(tmp_path):
    root = str(tmp_path / "lake")
    files = {k: validated_month(tmp_path, k) for k in KOMMUNER}
    context = mp.get_context("spawn")
    barrier, answers = context.Barrier(len(KOMMUNER)), context.Queue()
    workers = []
    for kommun, (rows_file, sha, _, _) in files.items():
        work = tmp_path / f"work-{kommun}"
        work.mkdir()
        worker = context.Process(
            target=write, args=(root, kommun, str(rows_file), sha, str(work), barrier, answers)
        )
        worker.start()
        workers.append(worker)
    results = {}
    for _ in workers:
        kommun, path, revision, error = answers.get(timeout=120)
        results[kommun] = (path, revision, error)
    for worker in workers:
        worker.join(timeout=60)
    # No lock error, no other error: each wrote its first revision under its own kommun.
    assert {k: (r[1], r[2]) for k, r in results.items()} == {"2081": (1, None), "2080": (1, None)}
    for kommun, (_, sha, gsrns, wh) in files.items():
        lake = Lake(root, kommun=kommun)
        path = results[kommun][0]
        assert path == f"{lake.base}/values/kommun={kommun}/medium=el/month=2025-01/values.parquet"
        assert lake.file_sha256(path) == sha and len(lake.revisions("el", MONTH)) == 1
        # What the kommun's marts read (the dbt macro's glob): its own points, all of them.
        seen = duckdb.sql(
            f"select distinct point_id, sum(wh) over () from read_parquet('{lake.local_glob()}')"
        ).fetchall()
        assert {p for p, _ in seen} == {pseudonym(KEY, g) for g in gsrns}
        assert {total for _, total in seen} == {wh}
    # The two kommuner's points do not meet.
    borlange, falun = (
        {p for (p,) in duckdb.sql(f"select point_id from read_parquet('{glob}')").fetchall()}
        for glob in (Lake(root, kommun=k).local_glob() for k in KOMMUNER)
    )
    assert borlange and falun and borlange.isdisjoint(falun)


def test_borlanges_lake_from_before_the_kommun_level_moves_under_2081(tmp_path):
    rows_file, sha, gsrns, wh = validated_month(tmp_path, "2081")
    root = tmp_path / "lake"
    lake = Lake(str(root))
    lake.write_partition(
        "el", MONTH, rows_file, file_sha256=sha, is_synthetic=True, work_dir=tmp_path
    )
    # The layout before the kommun level: the same files one level up.
    for kind in ("values", "revisions"):
        shutil.move(root / kind / "kommun=2081" / "medium=el", root / kind / "medium=el")
        (root / kind / "kommun=2081").rmdir()
    assert not lake.exists(lake.partition_path("el", MONTH))
    # Another kommun's pipeline leaves Borlänge's files alone.
    assert Lake(str(root), kommun="2080").adopt_single_kommun_layout() == []
    moved = lake.adopt_single_kommun_layout()
    assert sorted(Path(p).name for p in moved) == ["revision=0001.parquet", "values.parquet"]
    assert lake.file_sha256(lake.partition_path("el", MONTH)) == sha
    assert [Path(p).name for p in lake.revisions("el", MONTH)] == ["revision=0001.parquet"]
    assert sorted(p.name for p in (root / "values").iterdir()) == ["kommun=2081"]
    assert (root / "values" / "kommun=2081").stat().st_mode & 0o777 == 0o700
    # Written again from the same file: unchanged, no new revision.
    assert lake.write_partition(
        "el", MONTH, rows_file, file_sha256=sha, is_synthetic=True, work_dir=tmp_path
    ).unchanged


def test_a_kommun_is_a_four_digit_code(tmp_path):
    with pytest.raises(ValueError, match="four-digit"):
        Lake(str(tmp_path), kommun="../x")
