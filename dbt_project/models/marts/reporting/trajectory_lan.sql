-- One row per län and trajectory method: the same verdicts as marts.trajectory for kommuner, computed by
-- the län trajectory asset on SMHI's own län totals (pipelines/defs/trajectory/lan.py).
with

summary as ( select * from {{ ref('stg_trajectory__lan_summary') }} ),
lan as ( select distinct lan_kod, lan_namn from {{ ref('scb_kommuner') }} )

select
    cast(summary.lan_kod as varchar)                    as lan_kod,
    cast(lan.lan_namn as varchar)                       as lan_namn,
    cast(summary.entity_level as varchar)               as entity_level,
    cast(summary.method as varchar)                     as method,
    cast(summary.as_of_year as bigint)                  as as_of_year,
    cast(summary.last_data_year as bigint)              as last_data_year,
    cast(summary.gas as varchar)                        as gas,
    cast(summary.trend_years as varchar)                as trend_years,
    cast(summary.slope_t_per_year as double precision)  as slope_t_per_year,
    cast(summary.trend_sum_t as double precision)       as trend_sum_t,
    cast(summary.allowed_sum_t as double precision)     as allowed_sum_t,
    cast(summary.meets_paris as boolean)                as meets_paris,
    cast(summary.net_zero_date as date)                 as net_zero_date,
    cast(summary.budget_t as double precision)          as budget_t,
    cast(summary.budget_exhausted_date as date)         as budget_exhausted_date,
    cast(summary.required_reduction_pct as double precision) as required_reduction_pct,
    cast(summary.gap_2030_t as double precision)        as gap_2030_t,
    cast(summary.trend_method as varchar)               as trend_method,
    cast(summary.scope_status as varchar)               as scope_status,
    cast(summary.excluded_t as double precision)        as excluded_t,
    cast(summary.budget_negative as boolean)            as budget_negative
from summary
left join lan on lan.lan_kod = summary.lan_kod
