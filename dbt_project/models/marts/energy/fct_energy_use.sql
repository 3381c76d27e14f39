-- SCB's final energy use per kommun, year, consumer category (sector) and fuel class (TAB3654,
-- EN0203AE, MWh). Confidential cells are kept with a null mwh and status '..': KRE counts them in
-- its totals, so the totals (sector 999, fuel 955) are NOT the sum of the published parts.
with

cells as ( select * from {{ ref('stg_scb__energy_cells') }} where table_id = 'TAB3654' )

select
    cast(kommun_kod as varchar)              as kommun_kod,
    cast(year as integer)                    as year,
    cast(category_code as varchar)           as sector_code,
    cast(category_label as varchar)          as sector,
    cast(fuel_code as varchar)               as fuel_code,
    cast(fuel_label as varchar)              as fuel,
    cast(mwh as double precision)            as mwh,
    cast(status as varchar)                  as status,
    cast(is_confidential as boolean)         as is_confidential,
    category_code = '999' or fuel_code = '955' as is_total,
    cast(unit as varchar)                    as unit,
    cast('scb_kre' as varchar)               as source_id,
    cast(table_id as varchar)                as table_id,
    cast(contents_code as varchar)           as contents_code,
    cast(vintage as date)                    as vintage,
    cast(is_synthetic as boolean)            as is_synthetic,
    cast(file_sha256 as varchar)             as file_sha256
from cells
