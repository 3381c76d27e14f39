-- Every meter value in the lake, one row per (pseudonymised) metering point, direction and
-- interval. PER-POINT DATA: this view stays in `staging`, which no BI role may read and nothing
-- publishes; the marts aggregate it and suppress small cells.
-- depends_on: {{ source('meters', 'el_values') }}, {{ source('meters', 'fjarrvarme_values') }}
{%- set files = meter_lake_files('values') %}
{%- set text = dbt.type_string() %}
{% if files %}
select
    cast(medium as {{ text }}) as medium,
    cast(month || '-01' as date) as month,
    cast(point_id as {{ text }}) as point_id,
    cast(riktning as {{ text }}) as riktning,
    cast(natomrade as {{ text }}) as natomrade,
    cast(kundkategori as {{ text }}) as kundkategori,
    cast(start_utc as timestamp) as start_utc,
    cast(resolution_min as smallint) as resolution_min,
    cast(wh as bigint) as wh,
    {{ wh_to_kwh('wh') }} as kwh,
    cast(kvalitet as {{ text }}) as kvalitet,
    kvalitet = 'estimerad' as is_estimated,
    kvalitet = 'saknas' as is_missing,
    cast(is_synthetic as boolean) as is_synthetic,
    cast(file_sha256 as {{ text }}) as file_sha256
from {{ meter_lake_scan('values', files) }}
{% else %}
    select
        cast(null as {{ text }}) as medium,
        cast(null as date) as month,
        cast(null as {{ text }}) as point_id,
        cast(null as {{ text }}) as riktning,
        cast(null as {{ text }}) as natomrade,
        cast(null as {{ text }}) as kundkategori,
        cast(null as timestamp) as start_utc,
        cast(null as smallint) as resolution_min,
        cast(null as bigint) as wh,
        cast(null as decimal(18, 3)) as kwh,
        cast(null as {{ text }}) as kvalitet,
        cast(null as boolean) as is_estimated,
        cast(null as boolean) as is_missing,
        cast(null as boolean) as is_synthetic,
        cast(null as {{ text }}) as file_sha256
    where false
{% endif %}
