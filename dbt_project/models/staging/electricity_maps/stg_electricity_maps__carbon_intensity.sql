-- Every published hour of every accepted file, with whether it is in force: per zone and hour,
-- the newest vintage (release), and among files of one vintage the one loaded last. Older
-- releases stay, is_current = false, as history.
with

hours as (select * from {{ source('electricity_maps', 'carbon_intensity_hours') }}),

files as (select * from {{ source('electricity_maps', 'carbon_intensity_files') }}),

joined as (
    select
        cast(hours.zone_id as varchar) as zone_id,
        -- the bidding zone as GRID_ZONE names it: SE-SE3 -> SE3, SE stays SE
        cast(
            case
                when hours.zone_id like 'SE-%' then substr(hours.zone_id, 4) else hours.zone_id
            end as varchar
        ) as zone,
        cast(hours.hour_utc as timestamp) as hour_utc,
        cast(hours.direct_gco2_per_kwh as double precision) as direct_gco2_per_kwh,
        cast(hours.lifecycle_gco2_per_kwh as double precision) as lifecycle_gco2_per_kwh,
        cast(hours.cfe_pct / 100.0 as double precision) as cfe_share,
        cast(hours.re_pct / 100.0 as double precision) as re_share,
        cast(hours.data_source as varchar) as data_source,
        cast(hours.is_estimated as boolean) as is_estimated,
        cast(hours.estimation_method as varchar) as estimation_method,
        cast(files.vintage as date) as vintage,
        cast(files.vintage_from as varchar) as vintage_from,
        cast(files.header_version as varchar) as header_version,
        cast(files.file_name as varchar) as file_name,
        cast(files.load_seq as integer) as load_seq,
        cast(files.received_at as timestamp) as received_at,
        cast(hours.sha256 as varchar) as file_sha256,
        cast(hours.source_row as integer) as source_row
    from hours
    inner join files on hours.sha256 = files.sha256
)

select
    *,
    row_number() over (partition by zone_id, hour_utc order by vintage desc, load_seq desc)
    = 1 as is_current
from joined
