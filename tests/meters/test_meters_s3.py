"""The meter lake on S3: moto's S3 server on 127.0.0.1, reached through pyarrow.fs as in production
(METER_LAKE_ROOT=s3://…, METER_LAKE_S3_ENDPOINT): write, read and replace a partition."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.lib.meter_lake import Lake
from pipelines.settings import DEMO_METER_PSEUDONYM_KEY
from sources.meter_feed.validate import validate_file
from tests.helpers.meter_files import points, rows, write_csv


@pytest.fixture
def s3_endpoint(monkeypatch):
    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import pyarrow.fs as pafs

    pafs.S3FileSystem(
        endpoint_override=f"{host}:{port}",
        scheme="http",
        region="eu-north-1",
        allow_bucket_creation=True,
    ).create_dir("meter-lake")
    yield endpoint
    server.stop()


def normalised(tmp_path, name, values):
    source = write_csv(tmp_path / f"{name}.csv", values)
    out = tmp_path / f"{name}.parquet"
    assert validate_file(source, out_path=out, key=DEMO_METER_PSEUDONYM_KEY.encode()).ok
    return out, name * 8


def test_write_read_and_replace_a_partition_on_s3(tmp_path, s3_endpoint):
    lake = Lake("s3://meter-lake/borlange", s3_endpoint=s3_endpoint, s3_region="eu-north-1")
    month = date(2025, 3, 1)
    first = list(rows(month, points("el", 5, quarter_hour_share=0.0)))
    rows_file, sha = normalised(tmp_path, "aaaaaaaa", first)
    written = lake.write_partition(
        "el", month, rows_file, file_sha256=sha, is_synthetic=True, work_dir=tmp_path
    )
    assert written.path == (
        "meter-lake/borlange/values/kommun=2081/medium=el/month=2025-03/values.parquet"
    )
    assert (written.revision.revision, written.revision.wh) == (1, sum(r["wh"] for r in first))
    table = lake.read_partition("el", month)
    assert table.num_rows == 5 * 744 and lake.file_sha256(written.path) == sha
    # The same file again: nothing written.
    assert lake.write_partition(
        "el", month, rows_file, file_sha256=sha, is_synthetic=True, work_dir=tmp_path
    ).unchanged
    # A correction replaces it, and the revision says what changed.
    corrected = [dict(r) for r in first]
    corrected[0]["wh"] += 1000
    rows_file, sha2 = normalised(tmp_path, "bbbbbbbb", corrected)
    replaced = lake.write_partition(
        "el", month, rows_file, file_sha256=sha2, is_synthetic=True, work_dir=tmp_path
    )
    assert (
        replaced.revision.revision,
        replaced.revision.points_changed,
        replaced.revision.intervals_changed,
        replaced.revision.wh_change,
        replaced.revision.previous_sha256,
    ) == (2, 1, 1, 1000, sha)
    again = lake.read_partition("el", month)
    assert sum(again.column("wh").to_pylist()) == sum(r["wh"] for r in corrected)
    assert len(lake.revisions("el", month)) == 2
    # What DuckDB reads back (through pyarrow, no httpfs) is the corrected month.
    con = duckdb.connect()
    con.register("partition_rows", again)
    assert con.sql("select count(*), sum(wh) from partition_rows").fetchall()[0] == (
        5 * 744,
        sum(r["wh"] for r in corrected),
    )
