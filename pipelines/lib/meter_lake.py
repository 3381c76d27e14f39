"""The meter lake: Parquet partitioned by kommun, medium and month, on a local path or S3 (plain
Python, no Dagster). The root is the METER_LAKE_ROOT setting; S3 is reached through pyarrow.fs
(DuckDB's httpfs extension is not used), so a worker needs no DuckDB extension and no warehouse
lock.

    <root>/values/kommun=<NNNN>/medium=<el|fjarrvarme>/month=<YYYY-MM>/values.parquet   in force
    <root>/revisions/kommun=<…>/medium=<…>/month=<…>/revision=<NNNN>.parquet   one per replacement

Each kommun (METER_KOMMUN, Borlänge's 2081 by default) writes only under its own kommun=, so the
cities of a programme share one bucket, side by side, each through its own Dagster partitions. A
lake written before the kommun level (values/medium=…) is Borlänge's: it is moved under
kommun=2081 the first time Borlänge's pipeline opens it (`adopt_single_kommun_layout`).

A partition's rows are pseudonymised (point_id = HMAC of the GSRN, sources/meter_feed), in the
order of the landed file, zstd-compressed, in row groups of at most a million rows. The validator
writes a valid file's rows in exactly this layout, with the landed file's hash in its key-value
metadata, so the partition step copies that file's bytes; any other rows file is written again by
DuckDB, in its own order. The same landed file always gives the same bytes. Either way the new
file replaces the partition in one step: an atomic rename locally, one PUT (a completed upload) on
S3. The metadata's `file_sha256` names the landed file: writing the same file again changes
nothing and adds no revision. Locally the lake is the pipeline user's only (folders 0700, files
0600).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from pipelines.settings import DEFAULT_REPORT_KOMMUN
from sources.meter_feed.contract import PARTITION_ROW_GROUP_ROWS

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
VALUES, REVISIONS = "values", "revisions"
PARTITION_FILE = "values.parquet"
BORLANGE = DEFAULT_REPORT_KOMMUN  # the kommun of a lake written before the kommun level
LAKE_COLUMNS = (
    "point_id, riktning, natomrade, kundkategori, start_utc, resolution_min, wh, kvalitet, "
    "is_synthetic, file_sha256"
)


@dataclass(frozen=True)
class Revision:
    medium: str
    month: date
    revision: int
    file_sha256: str
    previous_sha256: str | None
    written_at: datetime
    points: int
    intervals: int
    wh: int
    points_changed: int  # points added, removed, or with any interval different
    intervals_changed: int  # intervals added, removed, or with another value or quality
    wh_before: int | None
    wh_change: int  # wh after - wh before


@dataclass(frozen=True)
class Written:
    path: str
    unchanged: bool
    revision: Revision | None


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class Lake:
    """The lake at `root`: a local folder, or `s3://bucket/prefix` (with `s3_endpoint` for an
    S3-compatible server, e.g. http://127.0.0.1:9000)."""

    def __init__(
        self,
        root: str,
        *,
        kommun: str = BORLANGE,
        s3_endpoint: str | None = None,
        s3_region: str | None = None,
    ):
        if not (len(kommun) == 4 and kommun.isascii() and kommun.isdigit()):
            raise ValueError(f"a kommun is a four-digit code, not {kommun!r}")
        self.root = root
        self.kommun = kommun
        self.is_s3 = root.startswith("s3://")
        if self.is_s3:
            options = {}
            if s3_endpoint:
                scheme, _, host = s3_endpoint.partition("://")
                options.update(endpoint_override=host or scheme, scheme=scheme if host else "https")
            self.fs = pafs.S3FileSystem(region=s3_region or "eu-north-1", **options)
            self.base = root[len("s3://") :].rstrip("/")
        else:
            self.fs = pafs.LocalFileSystem()
            self.base = str(Path(root).resolve())

    # ---------------------------------------------------------------- paths

    def kommun_dir(self, kind: str = VALUES) -> str:
        return f"{self.base}/{kind}/kommun={self.kommun}"

    def partition_dir(self, medium: str, month: date) -> str:
        return f"{self.kommun_dir()}/medium={medium}/month={month:%Y-%m}"

    def partition_path(self, medium: str, month: date) -> str:
        return f"{self.partition_dir(medium, month)}/{PARTITION_FILE}"

    def revisions_dir(self, medium: str, month: date) -> str:
        return f"{self.kommun_dir(REVISIONS)}/medium={medium}/month={month:%Y-%m}"

    def local_glob(self, kind: str = VALUES) -> str:
        """The glob dbt's read_parquet reads for this kommun (local lakes only; the macro
        meter_lake_files in dbt_project/macros/meter_lake.sql)."""
        return f"{self.kommun_dir(kind)}/*/*/*.parquet"

    def adopt_single_kommun_layout(self) -> list[str]:
        """Borlänge's lake from before the kommun level (<kind>/medium=…/month=…/…) moved, file by
        file, under kommun=2081; returns the files moved. Another kommun's pipeline moves
        nothing: such a lake can only be Borlänge's."""
        if self.kommun != BORLANGE:
            return []
        moved = []
        for kind in (VALUES, REVISIONS):
            top = pafs.FileSelector(f"{self.base}/{kind}", allow_not_found=True)
            for folder in self.fs.get_file_info(top):
                name = folder.path.rsplit("/", 1)[-1]
                if folder.type != pafs.FileType.Directory or not name.startswith("medium="):
                    continue
                inside = pafs.FileSelector(folder.path, recursive=True)
                for info in self.fs.get_file_info(inside):
                    if info.type != pafs.FileType.File:
                        continue
                    target = self.kommun_dir(kind) + info.path[len(f"{self.base}/{kind}") :]
                    self._mkdirs(str(Path(target).parent) if not self.is_s3 else target)
                    self.fs.move(info.path, target)
                    moved.append(target)
                if not self.is_s3:
                    shutil.rmtree(folder.path, ignore_errors=True)  # only empty folders are left
        return moved

    def exists(self, path: str) -> bool:
        return self.fs.get_file_info(path).type == pafs.FileType.File

    def _mkdirs(self, path: str) -> None:
        if self.is_s3:
            return  # S3 has no folders
        parts = Path(path).relative_to(Path(self.base).parent).parts
        current = Path(self.base).parent
        for part in parts:
            current = current / part
            if not current.exists():
                current.mkdir(mode=PRIVATE_DIR)
            if current.is_relative_to(self.base):
                os.chmod(current, PRIVATE_DIR)

    def file_sha256(self, path: str) -> str | None:
        """The landed file a partition was written from (its key-value metadata)."""
        if not self.exists(path):
            return None
        with self.fs.open_input_file(path) as handle:
            metadata = pq.read_metadata(handle).metadata or {}
        value = metadata.get(b"file_sha256")
        return value.decode() if value else None

    def download(self, path: str, target: Path) -> Path:
        with self.fs.open_input_stream(path) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 8 * 1024 * 1024)
        return target

    def _put(self, local: Path, path: str) -> None:
        """`local` becomes `path` in one step: a rename in the same folder, or one S3 upload."""
        self._mkdirs(str(Path(path).parent) if not self.is_s3 else path)
        if self.is_s3:
            with open(local, "rb") as source, self.fs.open_output_stream(path) as out:
                shutil.copyfileobj(source, out, 8 * 1024 * 1024)
            return
        fd, staged = tempfile.mkstemp(dir=str(Path(path).parent), prefix=".", suffix=".tmp")
        os.close(fd)
        shutil.copyfile(local, staged)
        os.chmod(staged, PRIVATE_FILE)
        with open(staged, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(staged, path)

    # ---------------------------------------------------------------- writing

    def write_partition(
        self,
        medium: str,
        month: date,
        rows: Path,
        *,
        file_sha256: str,
        is_synthetic: bool,
        work_dir: Path,
        memory_limit: str = "1GB",
    ) -> Written:
        """Replace the partition with the rows of one landed file (the validator's Parquet,
        sources/meter_feed); the revision says what changed. The same file again: unchanged,
        nothing written. Rows the validator wrote for this very file and month are already the
        partition: their bytes are copied, not written again."""
        target = self.partition_path(medium, month)
        previous = self.file_sha256(target)
        if previous == file_sha256:
            return Written(target, True, None)
        with (
            tempfile.TemporaryDirectory(prefix="meter-partition-", dir=work_dir) as tmp,
            duckdb.connect() as con,
        ):
            tmp_path = Path(tmp)
            con.execute(f"set memory_limit = {_sql_text(memory_limit)}")
            con.execute(f"set temp_directory = {_sql_text(str(tmp_path / 'spill'))}")
            con.execute("set threads = 2")
            written = pq.read_metadata(rows).metadata or {}
            expected = {
                b"file_sha256": file_sha256.encode(),
                b"medium": medium.encode(),
                b"month": f"{month:%Y-%m}".encode(),
                b"is_synthetic": str(bool(is_synthetic)).lower().encode(),
            }
            if all(written.get(k) == v for k, v in expected.items()):
                new_file = rows
                counts = tuple(int(written[k]) for k in (b"points", b"intervals", b"wh"))
            else:
                new_file = tmp_path / PARTITION_FILE
                self._rewrite(con, rows, new_file, medium, month, file_sha256, is_synthetic)
                counts = con.execute(
                    "select count(distinct point_id), count(*), coalesce(sum(wh), 0)::bigint "
                    f"from read_parquet({_sql_text(str(new_file))})"
                ).fetchone()
            old_file = None
            if self.exists(target):
                old_file = (
                    self.download(target, tmp_path / "previous.parquet")
                    if self.is_s3
                    else Path(target)
                )
            revision = self._revision(
                con, medium, month, new_file, old_file, file_sha256, previous, counts
            )
            revision_file = tmp_path / "revision.parquet"
            con.execute(
                f"copy (select * from revision_row) to {_sql_text(str(revision_file))} "
                "(format parquet)"
            )
            self._put(new_file, target)
            self._put(
                revision_file,
                f"{self.revisions_dir(medium, month)}/revision={revision.revision:04d}.parquet",
            )
        return Written(target, False, revision)

    @staticmethod
    def _rewrite(
        con,
        rows: Path,
        new_file: Path,
        medium: str,
        month: date,
        file_sha256: str,
        is_synthetic: bool,
    ) -> None:
        """Rows in another layout (a normalised file from before the validator wrote the
        partition's, or one written for another landed file) in the partition's, in their order
        (DuckDB preserves a single file's order)."""
        con.execute(f"""
            copy (select point_id, riktning, natomrade, kundkategori, start_utc,
                         resolution_min, wh, kvalitet,
                         {str(bool(is_synthetic)).lower()} as is_synthetic,
                         {_sql_text(file_sha256)} as file_sha256
                  from read_parquet({_sql_text(str(rows))}))
            to {_sql_text(str(new_file))}
            (format parquet, compression zstd, row_group_size {PARTITION_ROW_GROUP_ROWS},
             kv_metadata {{file_sha256: {_sql_text(file_sha256)}, medium: {_sql_text(medium)},
                           month: {_sql_text(f"{month:%Y-%m}")}}})""")

    def _revision(
        self,
        con,
        medium: str,
        month: date,
        new_file: Path,
        old_file: Path | None,
        file_sha256: str,
        previous: str | None,
        counts: tuple[int, int, int],
    ) -> Revision:
        number = len(self.revisions(medium, month)) + 1
        new = f"read_parquet({_sql_text(str(new_file))})"
        points, intervals, wh = counts
        if old_file is None:
            changed_points, changed_intervals, wh_before = points, intervals, None
        else:
            old = f"read_parquet({_sql_text(str(old_file))})"
            changed_points, changed_intervals = con.execute(f"""
                select count(distinct coalesce(n.point_id, o.point_id)), count(*)
                from {new} as n full join {old} as o using (point_id, riktning, start_utc)
                where n.point_id is null or o.point_id is null or n.wh is distinct from o.wh
                   or n.kvalitet is distinct from o.kvalitet""").fetchone()
            (wh_before,) = con.execute(f"select coalesce(sum(wh), 0)::bigint from {old}").fetchone()
        revision = Revision(
            medium,
            month,
            number,
            file_sha256,
            previous,
            datetime.now(UTC).replace(tzinfo=None),
            points,
            intervals,
            wh,
            changed_points,
            changed_intervals,
            wh_before,
            wh - (wh_before or 0),
        )
        con.execute(
            """create or replace table revision_row as select
                       ?::varchar as medium, ?::date as month, ?::integer as revision,
                       ?::varchar as file_sha256, ?::varchar as previous_sha256,
                       ?::timestamp as written_at, ?::bigint as points, ?::bigint as intervals,
                       ?::bigint as wh, ?::bigint as points_changed,
                       ?::bigint as intervals_changed, ?::bigint as wh_before,
                       ?::bigint as wh_change""",
            [
                revision.medium,
                revision.month,
                revision.revision,
                revision.file_sha256,
                revision.previous_sha256,
                revision.written_at,
                revision.points,
                revision.intervals,
                revision.wh,
                revision.points_changed,
                revision.intervals_changed,
                revision.wh_before,
                revision.wh_change,
            ],
        )
        return revision

    def revisions(self, medium: str, month: date) -> list[str]:
        selector = pafs.FileSelector(self.revisions_dir(medium, month), allow_not_found=True)
        return sorted(
            info.path for info in self.fs.get_file_info(selector) if info.path.endswith(".parquet")
        )

    def read_partition(self, medium: str, month: date):
        """The partition as an Arrow table (tests and small reads)."""
        with self.fs.open_input_file(self.partition_path(medium, month)) as handle:
            return pq.read_table(handle)
