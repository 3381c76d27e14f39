-- SMHI rows with canonical sector names and codes from the mapping seed
-- (macros/smhi_sector_mapped.sql).
with

emissions as (select * from {{ ref('stg_smhi__emissions') }}),

mapped as (
    {{ smhi_sector_mapped('emissions') }}
)

select * from mapped
