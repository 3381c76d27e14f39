-- Every replacement of a lake partition (pipelines/lib/meter_lake.py): what changed, as counts.
-- depends_on: {{ source('meters', 'el_values') }}, {{ source('meters', 'fjarrvarme_values') }}
{%- set files = meter_lake_files('revisions') %}
{% if files %}
select
    cast(medium as varchar) as medium, cast(month as date) as month, cast(revision as integer) as revision,
    cast(file_sha256 as varchar) as file_sha256, cast(previous_sha256 as varchar) as previous_sha256,
    cast(written_at as timestamp) as written_at, cast(points as bigint) as points,
    cast(intervals as bigint) as intervals, {{ wh_to_kwh('wh') }} as kwh,
    cast(points_changed as bigint) as points_changed, cast(intervals_changed as bigint) as intervals_changed,
    {{ wh_to_kwh('wh_before') }} as kwh_before, {{ wh_to_kwh('wh_change') }} as kwh_change
from read_parquet({{ quote_literal_sql(files) }}, hive_partitioning = false, union_by_name = true)
{% else %}
select null::varchar as medium, null::date as month, null::integer as revision, null::varchar as file_sha256,
       null::varchar as previous_sha256, null::timestamp as written_at, null::bigint as points,
       null::bigint as intervals, null::decimal(18, 3) as kwh, null::bigint as points_changed,
       null::bigint as intervals_changed, null::decimal(18, 3) as kwh_before, null::decimal(18, 3) as kwh_change
where false
{% endif %}
