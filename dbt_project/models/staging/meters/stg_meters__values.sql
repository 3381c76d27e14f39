-- Every meter value in the lake, one row per (pseudonymised) metering point, direction and
-- interval. PER-POINT DATA: this view stays in `staging`, which no BI role may read and nothing
-- publishes; the marts aggregate it and suppress small cells.
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
    select
        cast(null as varchar) as medium,
        cast(null as date) as month,
        cast(null as varchar) as point_id,
        cast(null as varchar) as riktning,
        cast(null as varchar) as natomrade,
        cast(null as varchar) as kundkategori,
        cast(null as timestamp) as start_utc,
        cast(null as smallint) as resolution_min,
        cast(null as bigint) as wh,
        cast(null as decimal(18, 3)) as kwh,
        cast(null as varchar) as kvalitet,
        cast(null as boolean) as is_estimated,
        cast(null as boolean) as is_missing,
        cast(null as boolean) as is_synthetic,
        cast(null as varchar) as file_sha256
    where false
{% endif %}
