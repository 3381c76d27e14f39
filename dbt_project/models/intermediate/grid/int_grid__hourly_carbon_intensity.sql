-- The hourly carbon intensity in force for the bidding zone (var grid_zone = GRID_ZONE): one row
-- per UTC hour, the newest vintage. The meter marts join on zone and hour_utc; the first seven
-- columns are a fixed interface.
with

current_hours as (
    select * from {{ ref('stg_electricity_maps__carbon_intensity') }}
    where is_current and zone = '{{ var("grid_zone", "SE3") }}'
)

select
    cast(zone as varchar)                                  as zone,
    cast(hour_utc as timestamp)                            as hour_utc,
    cast(direct_gco2_per_kwh as double precision)          as direct_gco2_per_kwh,
    cast(lifecycle_gco2_per_kwh as double precision)       as lifecycle_gco2_per_kwh,
    cast(is_estimated as boolean)                          as is_estimated,
    cast(vintage as date)                                  as vintage,
    cast('electricity_maps' as varchar)                    as source_id,
    cast(cfe_share as double precision)                    as cfe_share,
    cast(re_share as double precision)                     as re_share,
    cast(zone_id as varchar)                               as zone_id,
    cast(file_name as varchar)                             as file_name,
    cast(file_sha256 as varchar)                           as file_sha256,
    cast(source_row as integer)                            as source_row
from current_hours
