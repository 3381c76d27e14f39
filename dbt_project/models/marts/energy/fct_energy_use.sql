-- SCB's final energy use per kommun, year, consumer category (sector) and fuel class (TAB3654,
-- EN0203AE, MWh). Confidential cells are kept with a null mwh and status '..': KRE counts them in
-- its totals, so the totals (sector 999, fuel 955) are NOT the sum of the published parts.
with

cells as (
    select * from {{ ref('stg_scb__energy_cells') }}
    where table_id = 'TAB3654'
)

select
    kommun_kod,
    year,
    category_code as sector_code,
    category_label as sector,
    fuel_code,
    fuel_label as fuel,
    {{ scb_energy_cell_columns() }}
from cells
