-- SCB's electricity production (TAB3451, EN0203AD) and district-heating production (TAB3452,
-- EN0203AC) per kommun, year, production type and fuel class, MWh. Bransle 17 (electricity) and
-- 20 (district heat) are what was produced; the other codes are fuel used (950 = their sum).
with

cells as (
    select * from {{ ref('stg_scb__energy_cells') }}
    where table_id in ('TAB3451', 'TAB3452')
)

select
    kommun_kod,
    year,
    case table_id when 'TAB3451' then 'electricity' else 'district_heating' end as product,
    category_code as production_type_code,
    category_label as production_type,
    fuel_code,
    fuel_label as fuel,
    case when fuel_code in ('17', '20') then 'produced' else 'fuel_input' end as measure,
    {{ scb_energy_cell_columns() }}
from cells
