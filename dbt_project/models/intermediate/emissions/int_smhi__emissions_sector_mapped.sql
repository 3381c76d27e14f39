-- SMHI rows with canonical sector names and codes from the mapping seed, which
-- absorbs the spelling changes between releases ("uppärmning", "fran").
with

emissions as ( select * from {{ ref('stg_smhi__emissions') }} ),
sector_names as ( select * from {{ ref('smhi_sector_names') }} ),

mapped as (
    select
        emissions.*,
        main.canonical_name     as huvudsektor,
        main.sector_code        as huvudsektor_code,
        sub.canonical_name      as undersektor,
        sub.sector_code         as undersektor_code
    from emissions
    inner join sector_names as main
        on main.level = 'huvudsektor' and main.raw_name = emissions.huvudsektor_raw
    inner join sector_names as sub
        on sub.level = 'undersektor' and sub.raw_name = emissions.undersektor_raw
)

select * from mapped
