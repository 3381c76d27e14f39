-- The most detailed kommun rows of every file, so that summing them gives the total:
-- subsector rows where the release has them, else the main-sector row with a null
-- undersektor. `Alla` aggregates never pass.
with

kommun_rows as (
    select * from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level = 'kommun' and huvudsektor <> 'Alla'
),

sectors_with_subsectors as (
    select distinct vintage, gas, kommun_kod, huvudsektor
    from kommun_rows
    where undersektor <> 'Alla'
),

detail as (
    select
        kommun_rows.* exclude (undersektor, undersektor_code),
        nullif(kommun_rows.undersektor, 'Alla')      as undersektor,
        nullif(kommun_rows.undersektor_code, 'all')  as undersektor_code
    from kommun_rows
    left join sectors_with_subsectors as split
        on  split.vintage = kommun_rows.vintage
        and split.gas = kommun_rows.gas
        and split.kommun_kod = kommun_rows.kommun_kod
        and split.huvudsektor = kommun_rows.huvudsektor
    where (split.huvudsektor is null and kommun_rows.undersektor = 'Alla')
       or (split.huvudsektor is not null and kommun_rows.undersektor <> 'Alla')
)

select * from detail
