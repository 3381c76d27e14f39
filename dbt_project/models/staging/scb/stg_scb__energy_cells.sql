-- KRE cells of the three tables, with their release date as vintage and the synthetic label of a
-- replay payload (its dataset note says SYNTHETIC) carried as a flag.
with

source as ( select * from {{ source('scb_energy', 'scb_energy') }} )

select
    cast(table_id as varchar)            as table_id,
    cast(contents_code as varchar)       as contents_code,
    cast(kommun_kod as varchar)          as kommun_kod,
    cast(category_variable as varchar)   as category_variable,
    cast(category_code as varchar)       as category_code,
    cast(category_label as varchar)      as category_label,
    cast(fuel_code as varchar)           as fuel_code,
    cast(fuel_label as varchar)          as fuel_label,
    cast(year as integer)                as year,
    cast(mwh as double precision)        as mwh,
    cast(status as varchar)              as status,
    status is not null                   as is_confidential,
    cast(coalesce(unit, 'MWh') as varchar) as unit,
    cast(substr(updated, 1, 10) as date) as vintage,
    coalesce(lower(note) like '%synthetic%', false) as is_synthetic,
    cast(file_sha256 as varchar)         as file_sha256
from source
