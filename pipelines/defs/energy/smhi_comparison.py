"""The utility's fossil emissions of heat and power (fuels burnt in its plants, before any
allocation) set beside SMHI's `El och fjärrvärme` for the kommun, in the newest year both have
(plain Python, no Dagster; the check is in assets.py)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class SmhiComparison:
    year: int | None
    utility_t: float | None
    smhi_t: float | None
    smhi_vintage: str | None
    difference_t: float | None
    difference_share: float | None  # (utility - smhi) / smhi
    tolerance: float
    is_synthetic: bool
    reason: str = ""

    @property
    def within_tolerance(self) -> bool:
        return self.difference_share is not None and abs(self.difference_share) <= self.tolerance


SMHI_SECTOR = "El och fjärrvärme"


def compare_with_smhi(
    con: duckdb.DuckDBPyConnection, *, tolerance: float, kommun_kod: str
) -> SmhiComparison:
    """The utility's fossil emissions of heat and power (fuels burnt in its plants, before any
    allocation) against SMHI's `El och fjärrvärme` for the kommun, in the newest year both have."""
    utility = con.execute("""
        select year, sum(on_site_combustion_emissions_t), bool_or(is_synthetic)
        from marts.fct_energy_balance group by year""").fetchall()
    smhi = con.execute(
        """
        select year, sum(tonnes), max(vintage) from marts.fct_emissions
        where kommun_kod = ? and gas = 'CO2e' and huvudsektor = ? and in_latest_release
        group by year""",
        [kommun_kod, SMHI_SECTOR],
    ).fetchall()
    ours = {year: (tonnes, synthetic) for year, tonnes, synthetic in utility}
    theirs = {year: (tonnes, vintage) for year, tonnes, vintage in smhi}
    common = sorted(set(ours) & set(theirs))
    if not common:
        return SmhiComparison(
            None,
            None,
            None,
            None,
            None,
            None,
            tolerance,
            False,
            reason=f"no year with both utility reports ({sorted(ours)}) and SMHI "
            f"'{SMHI_SECTOR}' ({sorted(theirs)[-3:]})",
        )
    year = common[-1]
    (utility_t, synthetic), (smhi_t, vintage) = ours[year], theirs[year]
    difference = utility_t - smhi_t
    return SmhiComparison(
        year,
        utility_t,
        smhi_t,
        str(vintage),
        difference,
        difference / smhi_t if smhi_t else None,
        tolerance,
        bool(synthetic),
    )
