-- Every meter value in the lake, one row per (pseudonymised) metering point, direction and interval.
-- PER-POINT DATA: this view stays in `staging`, which no BI role may read and nothing publishes;
-- the marts aggregate it and suppress small cells.
-- depends_on: {{ source('meters', 'el_values') }}, {{ source('meters', 'fjarrvarme_values') }}
{%- set files = meter_lake_files('values') %}
{% if files %}
select
    cast(medium as varchar)                          as medium,
    cast(month || '-01' as date)                     as month,
    cast(point_id as varchar)                        as point_id,
    cast(riktning as varchar)                        as riktning,
    cast(natomrade as varchar)                       as natomrade,
    cast(kundkategori as varchar)                    as kundkategori,
    cast(start_utc as timestamp)                     as start_utc,
    cast(resolution_min as smallint)                 as resolution_min,
    cast(wh as bigint)                               as wh,
    {{ wh_to_kwh('wh') }}                            as kwh,
    cast(kvalitet as varchar)                        as kvalitet,
    kvalitet = 'estimerad'                           as is_estimated,
    kvalitet = 'saknas'                              as is_missing,
    cast(is_synthetic as boolean)                    as is_synthetic,
    cast(file_sha256 as varchar)                     as file_sha256
from read_parquet({{ quote_literal_sql(files) }}, hive_partitioning = true,
                  hive_types = {'medium': varchar, 'month': varchar})
{% else %}
select null::varchar as medium, null::date as month, null::varchar as point_id, null::varchar as riktning,
       null::varchar as natomrade, null::varchar as kundkategori, null::timestamp as start_utc,
       null::smallint as resolution_min, null::bigint as wh, null::decimal(18, 3) as kwh, null::varchar as kvalitet,
       null::boolean as is_estimated, null::boolean as is_missing, null::boolean as is_synthetic,
       null::varchar as file_sha256
where false
{% endif %}
