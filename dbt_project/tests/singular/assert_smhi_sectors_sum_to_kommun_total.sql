-- The detail rows of each kommun, year and vintage add up to SMHI's own `Alla` total within 1 t.
{{ config(meta={'dagster': {'ref': {'name': 'int_smhi__kommun_detail_rows'}}}) }}
with

parts as (
    select
        vintage,
        gas,
        kommun_kod,
        year,
        {{ exact_sum("tonnes") }} as parts_tonnes
    from {{ ref('int_smhi__kommun_detail_rows') }}
    group by vintage, gas, kommun_kod, year
),

totals as (select * from {{ ref('int_smhi__kommun_totals') }})

select
    totals.vintage,
    totals.gas,
    totals.kommun_kod,
    totals.year,
    totals.total_tonnes,
    parts.parts_tonnes,
    parts.parts_tonnes - totals.total_tonnes as difference
from totals
full outer join parts using (vintage, gas, kommun_kod, year)
where
    parts.parts_tonnes is null
    or totals.total_tonnes is null
    or abs(parts.parts_tonnes - totals.total_tonnes) > 1
