"""Each month's metered consumption per report category against Borlänge Energi's monthly report
(plain Python, no Dagster; the check is in assets.py)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Reconciliation:
    rows: list[dict]  # medium, month, report_category, metered_mwh, reported_mwh, difference_share
    tolerance: float

    @property
    def mismatched(self) -> list[dict]:
        return [
            r
            for r in self.rows
            if r["difference_share"] is None or abs(r["difference_share"]) > self.tolerance
        ]


def reconcile(con: duckdb.DuckDBPyConnection, *, tolerance: float) -> Reconciliation:
    """Each month's metered consumption per report category (intermediate.int_meters__hourly_energy,
    uttag, before any suppression) against the utility's monthly report (fct_electricity
    distributed, fct_district_heating_monthly deliveries), MWh."""
    rows = con.execute("""
        with metered as (
            select h.medium, date_trunc('month', h.hour_utc + interval 1 hour)::date as month,
                   c.report_flow, coalesce(c.report_category, '') as report_category,
                   sum(h.wh) / 1e6 as metered_mwh
            from intermediate.int_meters__hourly_energy as h
            join reference.meter_customer_categories as c using (medium, kundkategori)
            where h.riktning = 'uttag'
            group by all
        ), reported as (
            select 'el' as medium, month, flow as report_flow, category as report_category,
                   sum(value) as reported_mwh
            from marts.fct_electricity where flow in ('distributed', 'public_charging') group by all
            union all
            select 'fjarrvarme', month, 'delivery', category, sum(value)
            from marts.fct_district_heating_monthly
            where measure = 'delivery' group by all
        )
        select m.medium, m.month,
               m.report_flow || coalesce(' ' || nullif(m.report_category, ''), '')
                   as report_category,
               m.metered_mwh, r.reported_mwh,
               (m.metered_mwh - r.reported_mwh) / nullif(r.reported_mwh, 0)
        from metered as m
        left join reported as r using (medium, month, report_flow, report_category)
        order by 1, 2, 3""").fetchall()
    names = (
        "medium",
        "month",
        "report_category",
        "metered_mwh",
        "reported_mwh",
        "difference_share",
    )
    return Reconciliation([dict(zip(names, row, strict=True)) for row in rows], tolerance)
