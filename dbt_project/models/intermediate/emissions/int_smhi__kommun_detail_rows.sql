-- The most detailed kommun rows of every file, so that summing them gives the total:
-- subsector rows where the release has them, else the main-sector row with a null
-- undersektor. `Alla` aggregates never pass.
--
-- SMHI's subsectors do not always add up to their main sector (in the CO2 export of
-- 2024-04-18, Avfall and Transporter differ by up to ±128 kt). Where they differ by more
-- than half a tonne, an explicit residual row (is_subsector_residual) carries the
-- difference, so that sums stay equal to SMHI's own totals and the gap stays visible.

{#- Every column a row carries from int_smhi__emissions_sector_mapped but the subsector,
    in the mapped model's order; each branch below lists them the same way (ANSI union). -#}
{%- set row_columns = [
    'vintage', 'smhi_sub', 'gas', 'unit_raw', 'geo_level', 'lan_kod', 'kommun_kod',
    'huvudsektor_raw', 'undersektor_raw', 'year', 'tonnes', 'source_file_sha256',
    'source_file_name', 'source_sheet', 'source_row', 'fetched_at', 'huvudsektor', 'huvudsektor_code',
] %}

with

-- Kommun rows below `Alla`, read once per use: Postgres would materialize a shared CTE
-- and plan the joins below without statistics.
sector_rows as (
    select * from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level = 'kommun' and huvudsektor <> 'Alla' and undersektor = 'Alla'
),

subsector_rows as (
    select * from {{ ref('int_smhi__emissions_sector_mapped') }}
    where geo_level = 'kommun' and huvudsektor <> 'Alla' and undersektor <> 'Alla'
),

subsector_sums as (
    select
        vintage,
        gas,
        kommun_kod,
        huvudsektor,
        year,
        {{ exact_sum("tonnes") }} as tonnes
    from subsector_rows
    group by vintage, gas, kommun_kod, huvudsektor, year
),

unsplit_sectors as (
    select
        {%- for column in row_columns %}
            sector_rows.{{ column }},
        {%- endfor %}
        cast(null as varchar) as undersektor,
        cast(null as varchar) as undersektor_code,
        false as is_subsector_residual
    from sector_rows
    where not exists (
        select 1
        from subsector_sums
        where
            subsector_sums.vintage = sector_rows.vintage
            and subsector_sums.gas = sector_rows.gas
            and subsector_sums.kommun_kod = sector_rows.kommun_kod
            and subsector_sums.huvudsektor = sector_rows.huvudsektor
            and subsector_sums.year = sector_rows.year
    )
),

subsectors as (
    select
        {%- for column in row_columns %}
            subsector_rows.{{ column }},
        {%- endfor %}
        subsector_rows.undersektor,
        subsector_rows.undersektor_code,
        false as is_subsector_residual
    from subsector_rows
),

residuals as (
    select
        {%- for column in row_columns %}
            {% if column == 'tonnes' -%}
                sector_rows.tonnes - subsector_sums.tonnes as tonnes,
            {%- else -%}
                sector_rows.{{ column }},
            {%- endif %}
        {%- endfor %}
        'Ej fördelat på undersektor (residual)' as undersektor,
        sector_rows.huvudsektor_code || '.residual' as undersektor_code,
        true as is_subsector_residual
    from sector_rows
    inner join subsector_sums using (vintage, gas, kommun_kod, huvudsektor, year)
    where abs(sector_rows.tonnes - subsector_sums.tonnes) > 0.5
)

select * from unsplit_sectors
union all
select * from subsectors
union all
select * from residuals
