-- The hourly carbon intensity in force for the bidding zone (var grid_zone = GRID_ZONE): one row
-- per UTC hour, the newest vintage. The meter marts join on zone and hour_utc; the first seven
-- columns are a fixed interface.
with

current_hours as (
    select * from {{ ref('stg_electricity_maps__carbon_intensity') }}
    where is_current and zone = '{{ var("grid_zone", "SE3") }}'
)

select
    zone,
    hour_utc,
    direct_gco2_per_kwh,
    lifecycle_gco2_per_kwh,
    is_estimated,
    vintage,
    'electricity_maps' as source_id,
    cfe_share,
    re_share,
    zone_id,
    file_name,
    file_sha256,
    source_row
from current_hours
