-- Every replacement of a lake partition (pipelines/lib/meter_lake.py): what changed, as counts.
-- depends_on: {{ source('meters', 'el_values') }}, {{ source('meters', 'fjarrvarme_values') }}
{%- set files = meter_lake_files('revisions') %}
{%- set text = dbt.type_string() %}
{% if files %}
select
    cast(medium as {{ text }}) as medium,
    cast(month as date) as month,
    cast(revision as integer) as revision,
    cast(file_sha256 as {{ text }}) as file_sha256,
    cast(previous_sha256 as {{ text }}) as previous_sha256,
    cast(written_at as timestamp) as written_at,
    cast(points as bigint) as points,
    cast(intervals as bigint) as intervals,
    {{ wh_to_kwh('wh') }} as kwh,
    cast(points_changed as bigint) as points_changed,
    cast(intervals_changed as bigint) as intervals_changed,
    {{ wh_to_kwh('wh_before') }} as kwh_before,
    {{ wh_to_kwh('wh_change') }} as kwh_change
from {{ meter_lake_scan('revisions', files) }}
{% else %}
    select
        cast(null as {{ text }}) as medium,
        cast(null as date) as month,
        cast(null as integer) as revision,
        cast(null as {{ text }}) as file_sha256,
        cast(null as {{ text }}) as previous_sha256,
        cast(null as timestamp) as written_at,
        cast(null as bigint) as points,
        cast(null as bigint) as intervals,
        cast(null as decimal(18, 3)) as kwh,
        cast(null as bigint) as points_changed,
        cast(null as bigint) as intervals_changed,
        cast(null as decimal(18, 3)) as kwh_before,
        cast(null as decimal(18, 3)) as kwh_change
    where false
{% endif %}
