-- One row per län and trajectory method: the same verdicts as marts.trajectory for kommuner,
-- computed by the län trajectory asset on SMHI's own län totals (pipelines/defs/trajectory/lan.py).
with

summary as (select * from {{ ref('stg_trajectory__lan_summary') }}),

lan as (
    select distinct
        lan_kod,
        lan_namn
    from {{ ref('scb_kommuner') }}
)

select
    summary.lan_kod,
    lan.lan_namn,
    summary.entity_level,
    summary.method,
    summary.as_of_year,
    summary.last_data_year,
    summary.gas,
    summary.trend_years,
    summary.slope_t_per_year,
    summary.trend_sum_t,
    summary.allowed_sum_t,
    summary.meets_paris,
    summary.net_zero_date,
    summary.budget_t,
    summary.budget_exhausted_date,
    summary.required_reduction_pct,
    summary.gap_2030_t,
    summary.trend_method,
    summary.scope_status,
    summary.excluded_t,
    summary.budget_negative
from summary
left join lan on summary.lan_kod = lan.lan_kod
