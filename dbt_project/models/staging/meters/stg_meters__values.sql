-- Every meter value in the lake, one row per (pseudonymised) metering point, direction and
-- interval. PER-POINT DATA: this view stays in `staging`, which no BI role may read and nothing
-- publishes; the marts aggregate it and suppress small cells.
-- depends_on: {{ source('meters', 'el_values') }}, {{ source('meters', 'fjarrvarme_values') }}
{%- set files = meter_lake_files('values') %}
{% if files %}
select
    cast(medium as {{ dbt.type_string() }})                          as medium,
    cast(month || '-01' as date)                     as month,
    cast(point_id as {{ dbt.type_string() }})                        as point_id,
    cast(riktning as {{ dbt.type_string() }})                        as riktning,
    cast(natomrade as {{ dbt.type_string() }})                       as natomrade,
    cast(kundkategori as {{ dbt.type_string() }})                    as kundkategori,
    cast(start_utc as timestamp)                     as start_utc,
    cast(resolution_min as smallint)                 as resolution_min,
    cast(wh as bigint)                               as wh,
    {{ wh_to_kwh('wh') }}                            as kwh,
    cast(kvalitet as {{ dbt.type_string() }})                        as kvalitet,
    kvalitet = 'estimerad'                           as is_estimated,
    kvalitet = 'saknas'                              as is_missing,
    cast(is_synthetic as boolean)                    as is_synthetic,
    cast(file_sha256 as {{ dbt.type_string() }})                     as file_sha256
from {{ meter_lake_scan('values', files) }}
{% else %}
    select
        cast(null as {{ dbt.type_string() }}) as medium,
        cast(null as date) as month,
        cast(null as {{ dbt.type_string() }}) as point_id,
        cast(null as {{ dbt.type_string() }}) as riktning,
        cast(null as {{ dbt.type_string() }}) as natomrade,
        cast(null as {{ dbt.type_string() }}) as kundkategori,
        cast(null as timestamp) as start_utc,
        cast(null as smallint) as resolution_min,
        cast(null as bigint) as wh,
        cast(null as decimal(18, 3)) as kwh,
        cast(null as {{ dbt.type_string() }}) as kvalitet,
        cast(null as boolean) as is_estimated,
        cast(null as boolean) as is_missing,
        cast(null as boolean) as is_synthetic,
        cast(null as {{ dbt.type_string() }}) as file_sha256
    where false
{% endif %}
