-- SCB's electricity production (TAB3451, EN0203AD) and district-heating production (TAB3452,
-- EN0203AC) per kommun, year, production type and fuel class, MWh. Bransle 17 (electricity) and
-- 20 (district heat) are what was produced; the other codes are fuel used (950 = their sum).
with

cells as ( select * from {{ ref('stg_scb__energy_cells') }} where table_id in ('TAB3451', 'TAB3452') )

select
    cast(kommun_kod as varchar)              as kommun_kod,
    cast(year as integer)                    as year,
    cast(case table_id when 'TAB3451' then 'electricity' else 'district_heating' end as varchar) as product,
    cast(category_code as varchar)           as production_type_code,
    cast(category_label as varchar)          as production_type,
    cast(fuel_code as varchar)               as fuel_code,
    cast(fuel_label as varchar)              as fuel,
    cast(case when fuel_code in ('17', '20') then 'produced' else 'fuel_input' end as varchar) as measure,
    cast(mwh as double precision)            as mwh,
    cast(status as varchar)                  as status,
    cast(is_confidential as boolean)         as is_confidential,
    category_code = 'Totalt' or fuel_code = '950' as is_total,
    cast(unit as varchar)                    as unit,
    cast('scb_kre' as varchar)               as source_id,
    cast(table_id as varchar)                as table_id,
    cast(contents_code as varchar)           as contents_code,
    cast(vintage as date)                    as vintage,
    cast(is_synthetic as boolean)            as is_synthetic,
    cast(file_sha256 as varchar)             as file_sha256
from cells
