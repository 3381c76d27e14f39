-- KRE cells of the three tables, with their release date as vintage, the synthetic label of a
-- replay payload (its dataset note says SYNTHETIC) carried as a flag, and whether the cell is one
-- of the table's totals (TAB3654: sector 999 or fuel 955; TAB3451/TAB3452: Totalt or fuel 950).
with

source as (select * from {{ source('scb_energy', 'scb_energy') }})

select
    cast(table_id as varchar) as table_id,
    cast(contents_code as varchar) as contents_code,
    cast(kommun_kod as varchar) as kommun_kod,
    cast(category_variable as varchar) as category_variable,
    cast(category_code as varchar) as category_code,
    cast(category_label as varchar) as category_label,
    cast(fuel_code as varchar) as fuel_code,
    cast(fuel_label as varchar) as fuel_label,
    cast(year as integer) as year,
    cast(mwh as double precision) as mwh,
    cast(status as varchar) as status,
    status is not null as is_confidential,
    case
        when table_id = 'TAB3654' then category_code = '999' or fuel_code = '955'
        else category_code = 'Totalt' or fuel_code = '950'
    end as is_total,
    cast(coalesce(unit, 'MWh') as varchar) as unit,
    'scb_kre' as source_id,
    cast(substr(updated, 1, 10) as date) as vintage,
    coalesce(lower(note) like '%synthetic%', false) as is_synthetic,
    cast(file_sha256 as varchar) as file_sha256
from source
