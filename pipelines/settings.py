"""Every setting, read from the environment once (`Settings.from_env()` in the definitions loader
and the CLIs) and injected from there: into assets, sensors and checks as the `settings`
resource, and into dbt as vars (pipelines/lib/dbt.py). Each setting has its one default here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sources.scb import SCB_BASE_URL_DEFAULT
from sources.smhi import SMHI_BASE_URL_DEFAULT

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
SEI_HOUSEHOLDS_DEFAULT = (REPO_ROOT / "replay" / "payloads" / "consumption"
                          / "Klimatkollen_data for 2023_shared April 2026.xlsx")
SCHEDULE_TIMEZONE = "Europe/Stockholm"
DUCKDB_POOL = "duckdb_warehouse"  # every writer of the warehouse file runs in this pool, limit 1


@dataclass(frozen=True)
class Settings:
    warehouse_path: Path
    landing_dir: Path
    smhi_base_url: str
    scb_base_url: str
    dbt_target: str
    dbt_executable: str
    population_first_year: int
    http_max_attempts: int
    http_backoff_base_s: float
    trajectory_as_of_year: int
    reports_dir: Path
    inbox_dir: Path
    serving_dir: Path
    serving_storage_version: str
    report_kommun: str
    executor: str
    report_year: int | None
    neutrality_min_quality: str
    neutrality_min_permanence: str
    neutrality_trend_method: str
    neutrality_target_year: int
    sei_households_path: Path
    consumption_pace_tolerance_pp: float
    git_revision: str | None = None
    inbox_settle_s: float = 10.0
    energy_balance_tolerance: float = 0.02
    energy_smhi_tolerance: float = 0.25

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        warehouse = Path(env.get("WAREHOUSE_PATH") or REPO_ROOT / "warehouse" / "borlange.duckdb").resolve()
        return cls(
            warehouse_path=warehouse,
            landing_dir=Path(env.get("LANDING_DIR") or warehouse.parent / "landing").resolve(),
            smhi_base_url=env.get("SMHI_BASE_URL") or SMHI_BASE_URL_DEFAULT,
            scb_base_url=env.get("SCB_BASE_URL") or SCB_BASE_URL_DEFAULT,
            dbt_target=env.get("DBT_TARGET") or "duckdb",
            # The dbt of this interpreter's venv, so it works without the venv on PATH.
            dbt_executable=env.get("DBT_EXECUTABLE") or str(Path(sys.executable).with_name("dbt")),
            population_first_year=int(env.get("SCB_POPULATION_FIRST_YEAR") or 1990),
            http_max_attempts=int(env.get("HTTP_MAX_ATTEMPTS") or 5),
            http_backoff_base_s=float(env.get("HTTP_BACKOFF_BASE_S") or 1.0),
            # The year the trajectory methods look forward from (Klimatkollen: the current year).
            trajectory_as_of_year=int(env.get("TRAJECTORY_AS_OF_YEAR") or date.today().year),
            reports_dir=Path(env.get("REPORTS_DIR") or warehouse.parent / "reports").resolve(),
            # Partner drops: <inbox>/partners/<partner_id>/<file>.
            inbox_dir=Path(env.get("INBOX_DIR") or REPO_ROOT / "inbox").resolve(),
            # A dropped file counts once it has not changed for this many seconds (a sender still
            # writing it is left alone; the documented way is upload as .name or name.part, then rename).
            inbox_settle_s=float(env.get("INBOX_SETTLE_SECONDS") or 10.0),
            # What BI tools read: a serving copy and Parquet, never the file the pipeline writes.
            serving_dir=Path(env.get("SERVING_DIR") or warehouse.parent / "serving").resolve(),
            serving_storage_version=env.get("SERVING_STORAGE_VERSION") or "v1.0.0",
            # The yearly follow-up report: which kommun, and which data year (default: its latest).
            report_kommun=env.get("REPORT_KOMMUN") or "2081",
            # in_process: every writer shares one DuckDB file and runs one at a time anyway, so a
            # process per step would only add start-up time. multiprocess: for the PostgreSQL target.
            executor=env.get("DAGSTER_EXECUTOR") or "in_process",
            report_year=int(env["REPORT_YEAR"]) if env.get("REPORT_YEAR") else None,
            # The commit a published build names; default: `git rev-parse HEAD` of the checkout.
            git_revision=env.get("GIT_REVISION") or None,
            # Utility reports: production + purchases must equal deliveries + losses within this share.
            energy_balance_tolerance=float(env.get("ENERGY_BALANCE_TOLERANCE") or 0.02),
            # The utility's fossil emissions of heat and power may differ from SMHI's 'El och
            # fjärrvärme' by this share before the check warns.
            energy_smhi_tolerance=float(env.get("ENERGY_SMHI_TOLERANCE") or 0.25),
            # The climate-neutrality check (marts.climate_neutrality_balance): the lowest sink quality
            # and permanence that count, the trajectory preset whose trend gives the target year, and
            # that year. dbt gets them as vars (macros/neutrality_config.sql).
            neutrality_min_quality=env.get("NEUTRALITY_MIN_QUALITY") or "reported",
            neutrality_min_permanence=env.get("NEUTRALITY_MIN_PERMANENCE") or "100–1000 år",
            neutrality_trend_method=env.get("NEUTRALITY_TREND_METHOD") or "carbon_law",
            neutrality_target_year=int(env.get("NEUTRALITY_TARGET_YEAR") or 2030),
            # SEI Konsumtionskompassen's household workbook (a file feed); default: the bundled copy.
            sei_households_path=Path(env.get("SEI_HOUSEHOLDS_PATH") or SEI_HOUSEHOLDS_DEFAULT).resolve(),
            # How many percentage points per year consumption emissions may fall slower than
            # territorial ones and still count as falling "at a similar pace".
            consumption_pace_tolerance_pp=float(env.get("CONSUMPTION_PACE_TOLERANCE_PP") or 1.0),
        )
