-- Load profile per medium, customer category and month (consumption, all network areas together): the
-- peak hour and its kW (an hour's kWh is its mean kW), the mean kW, the load factor (mean / peak) and
-- load-duration percentiles of the hourly kW. A category-month whose hours have fewer than var
-- meter_min_points points (the least hour counts) is suppressed.
{%- set min_points = var('meter_min_points', 5) %}
with hourly as (
    select medium, kundkategori, hour_utc, date_trunc('month', hour_utc + interval 1 hour)::date as month,
           wh / 1000.0 as kw, point_count, is_synthetic
    from {{ ref('int_meters__category_hourly') }}
    where riktning = 'uttag'
), monthly as (
    select medium, kundkategori, month,
           first(hour_utc order by kw desc, hour_utc) as peak_hour_utc,   -- the earliest of tied peaks
           max(kw) as peak_kw, {{ exact_avg("kw") }} as mean_kw,
           quantile_cont(kw, 0.5) as p50_kw, quantile_cont(kw, 0.9) as p90_kw, quantile_cont(kw, 0.99) as p99_kw,
           min(point_count) as point_count, count(*) as hours, bool_or(is_synthetic) as is_synthetic
    from hourly group by all
)
select
    cast(medium as varchar)                                                         as medium,
    cast(kundkategori as varchar)                                                   as kundkategori,
    cast(month as date)                                                             as month,
    cast(case when point_count >= {{ min_points }} then peak_hour_utc end as timestamp) as peak_hour_utc,
    cast(case when point_count >= {{ min_points }} then peak_kw end as double)      as peak_kw,
    cast(case when point_count >= {{ min_points }} then mean_kw end as double)      as mean_kw,
    cast(case when point_count >= {{ min_points }} then mean_kw / nullif(peak_kw, 0) end as double) as load_factor,
    cast(case when point_count >= {{ min_points }} then p50_kw end as double)       as p50_kw,
    cast(case when point_count >= {{ min_points }} then p90_kw end as double)       as p90_kw,
    cast(case when point_count >= {{ min_points }} then p99_kw end as double)       as p99_kw,
    cast(point_count as integer)                                                    as point_count,
    cast(hours as integer)                                                          as hours,
    cast(point_count < {{ min_points }} as boolean)                                 as is_suppressed,
    cast(is_synthetic as boolean)                                                   as is_synthetic
from monthly
