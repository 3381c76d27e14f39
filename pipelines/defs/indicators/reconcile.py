"""Kolada's greenhouse-gas KPIs against the SMHI marts: same kommun (or region, or Sweden), same
year, within Kolada's rounding. RKA computes the KPIs from the same national emission database,
so a difference means Kolada is on another SMHI release (a release skew: a WARN naming the release
Kolada matches) or something is wrong (a mismatch: the value matches no release we hold).

    reconcile(con, values) -> Reconciliation     (plain Python; con: the warehouse, read-only)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sources.kolada import KpiValue

# KPI -> SMHI main sector ('Alla': the sum of all main sectors); titles in data_sources.md §2.4
GHG_KPI_SECTORS = {
    "N07702": "Alla",
    "N85532": "Egen uppvärmning av bostäder och lokaler",
    "N85533": "Transporter",
    "N85534": "Utrikes transporter",
    "N85535": "Arbetsmaskiner",
    "N85536": "El och fjärrvärme",
    "N85537": "Industri (energi + processer)",
    "N85538": "Jordbruk",
}
PER_CAPITA_KPI = "N00401"
TONNES_TOLERANCE = 0.5 + 1e-6  # Kolada publishes whole tonnes
PER_CAPITA_TOLERANCE = 0.005 + 1e-9  # and t/inv to two decimals


@dataclass(frozen=True)
class Finding:
    kpi: str
    kolada_id: str
    year: int
    kolada_value: float
    smhi_t: float | None
    smhi_vintage: str | None
    matches_vintage: str | None = None  # the other SMHI release Kolada's value matches (a skew)

    def describe(self) -> str:
        where = f"{self.kpi} {self.kolada_id} {self.year}: Kolada {self.kolada_value:,.2f}"
        if self.matches_vintage:
            return (
                f"{where} matches SMHI release {self.matches_vintage}, not the newest "
                f"{self.smhi_vintage} ({self.smhi_t:,.2f})"
            )
        return (
            f"{where}, SMHI {self.smhi_vintage} {self.smhi_t:,.2f}, matching no SMHI release held"
        )


@dataclass
class Reconciliation:
    compared: int = 0
    not_comparable: int = 0
    mismatches: list[Finding] = field(default_factory=list)
    skews: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        lines = [
            f"{self.compared} Kolada GHG values compared with the SMHI marts; "
            f"{len(self.mismatches)} off, {len(self.skews)} on another SMHI release, "
            f"{self.not_comparable} without an SMHI figure"
        ]
        lines += ["MISMATCH " + f.describe() for f in self.mismatches]
        lines += ["RELEASE SKEW " + f.describe() for f in self.skews]
        return "\n".join(lines)


def _level(kolada_id: str) -> tuple[str, str | None]:
    if kolada_id == "0000":
        return "riket", None
    if kolada_id.startswith("00"):
        return "lan", kolada_id[2:]
    return "kommun", kolada_id


def _newest(
    con, level: str, code: str | None, year: int, sector: str
) -> tuple[float | None, str | None]:
    sector_filter = "" if sector == "Alla" else "and huvudsektor = ?"
    params = [year] + ([] if sector == "Alla" else [sector])
    table, key = {
        "kommun": ("marts.fct_emissions", "kommun_kod = ? and"),
        "lan": ("marts.fct_emissions_lan", "lan_kod = ? and"),
        "riket": ("marts.fct_emissions_sweden", ""),
    }[level]
    row = con.execute(
        f"""select sum(tonnes), max(vintage) from {table}
        where {key} year = ? and gas = 'CO2e' {sector_filter}""",
        ([code] if code else []) + params,
    ).fetchone()
    return (row[0], str(row[1]) if row[1] is not None else None)


def _by_release(con, level: str, code: str | None, year: int, sector: str) -> dict[str, float]:
    """SMHI's kommun value in every release held (marts.emission_revisions), newest first. The län
    and Sweden marts hold the newest release only: there a difference is a mismatch."""
    if level != "kommun":
        return {}
    rows = con.execute(
        """select vintage, tonnes from marts.emission_revisions
        where kommun_kod = ? and year = ? and gas = 'CO2e' and huvudsektor = ?
        order by vintage desc""",
        [code, year, sector],
    ).fetchall()
    return {str(v): t for v, t in rows}


def reconcile(con, values: list[KpiValue]) -> Reconciliation:
    result = Reconciliation()
    for v in values:
        if v.gender != "T" or v.value is None or v.is_deleted:
            continue
        if v.kpi in GHG_KPI_SECTORS:
            level, code = _level(v.municipality)
            smhi, vintage = _newest(con, level, code, v.year, GHG_KPI_SECTORS[v.kpi])
            tolerance = TONNES_TOLERANCE
        elif v.kpi == PER_CAPITA_KPI and _level(v.municipality)[0] == "kommun":
            row = con.execute(
                """select tonnes_per_capita, vintage from marts.emissions_per_capita
                where kommun_kod = ? and year = ? and gas = 'CO2e'""",
                [v.municipality, v.year],
            ).fetchone()
            smhi, vintage = (row[0], str(row[1])) if row else (None, None)
            tolerance, level = PER_CAPITA_TOLERANCE, None
        else:
            continue
        if smhi is None:
            result.not_comparable += 1
            continue
        result.compared += 1
        if abs(v.value - smhi) <= tolerance:
            continue
        finding = Finding(v.kpi, v.municipality, v.year, v.value, smhi, vintage)
        if level is not None:
            code = _level(v.municipality)[1]
            for release, tonnes in _by_release(
                con, level, code, v.year, GHG_KPI_SECTORS[v.kpi]
            ).items():
                if release != vintage and abs(v.value - tonnes) <= tolerance:
                    finding = Finding(
                        v.kpi,
                        v.municipality,
                        v.year,
                        v.value,
                        smhi,
                        vintage,
                        matches_vintage=release,
                    )
                    break
        (result.skews if finding.matches_vintage else result.mismatches).append(finding)
    return result
