-- SMHI rows with canonical sector names and codes from the mapping seed, which
-- absorbs the spelling changes between releases ("uppärmning", "fran").
with

emissions as (select * from {{ ref('stg_smhi__emissions') }}),

-- One CTE per level rather than one used twice: Postgres materializes a CTE used twice
-- and then plans the joins blind (no statistics), which made them nested loops.
main_sector_names as (
    select * from {{ ref('smhi_sector_names') }}
    where level = 'huvudsektor'
),

sub_sector_names as (
    select * from {{ ref('smhi_sector_names') }}
    where level = 'undersektor'
),

mapped as (
    select
        emissions.*,
        main.canonical_name as huvudsektor,
        main.sector_code as huvudsektor_code,
        sub.canonical_name as undersektor,
        sub.sector_code as undersektor_code
    from emissions
    inner join main_sector_names as main
        on emissions.huvudsektor_raw = main.raw_name
    inner join sub_sector_names as sub
        on emissions.undersektor_raw = sub.raw_name
)

select * from mapped
