-- Meter data quality per medium and month: points, intervals, missing (kvalitet saknas) and
-- estimated values, and the corrections (partition revisions) of the month. Whole months: no small
-- cells.
-- METER_ENGINE=spark: the table Spark built (macros/meter_spark.sql); else the SQL below, not
-- indented under the branch:
-- sqlfluff:indentation:template_blocks_indent:false
{%- if meter_marts_from_spark() %}
{{ meter_spark_table() }}
{%- else %}
with series as (
    -- One row per point and direction: its values against the intervals of the month at its
    -- resolution.
    select
        medium,
        month,
        point_id,
        riktning,
        present,
        cast({{ month_seconds('month') }} / 60 / resolution_min as bigint) as expected
    from (
        select
            medium,
            month,
            point_id,
            riktning,
            count(distinct start_utc) as present,
            any_value(resolution_min) as resolution_min
        from {{ ref('stg_meters__values') }}
        group by medium, month, point_id, riktning
    )
),

gaps as (
    select
        medium,
        month,
        sum(expected - present) as gap_intervals,
        count(*) filter (where present < expected) as points_with_gaps
    from series
    group by all
),

values_by_month as (
    select
        medium,
        month,
        count(distinct point_id) as points,
        count(*) as intervals,
        count(*) filter (where is_missing) as missing_intervals,
        count(*) filter (where is_estimated) as estimated_intervals,
        sum(wh) filter (where is_estimated) as estimated_wh,
        sum(wh) as wh,
        bool_or(is_synthetic) as is_synthetic
    from {{ ref('stg_meters__values') }}
    group by all
),

revisions as (
    select
        medium,
        month,
        count(*) as revisions,
        max(written_at) as last_written_at,
        max_by(points_changed, revision) as points_changed,
        max_by(intervals_changed, revision) as intervals_changed,
        max_by(kwh_change, revision) as kwh_change
    from {{ ref('stg_meters__revisions') }}
    group by all
)

select
    v.medium,
    v.month,
    cast(v.points as integer) as points,
    v.intervals,
    cast(g.gap_intervals as bigint) as gap_intervals,
    cast(g.points_with_gaps as integer) as points_with_gaps,
    v.missing_intervals,
    v.missing_intervals / nullif(v.intervals, 0) as missing_share,
    v.estimated_intervals,
    coalesce(v.estimated_wh, 0) / nullif(v.wh, 0) as estimated_share,
    {{ wh_to_kwh('v.wh') }} as kwh,
    cast(coalesce(r.revisions, 0) - 1 as integer) as corrections,
    case when r.revisions > 1 then r.points_changed end as last_correction_points,
    case when r.revisions > 1 then r.intervals_changed end as last_correction_intervals,
    case when r.revisions > 1 then r.kwh_change end as last_correction_kwh,
    r.last_written_at,
    v.is_synthetic
from values_by_month as v
left join gaps as g using (medium, month)
left join revisions as r using (medium, month)
{%- endif %}
