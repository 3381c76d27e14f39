-- How each value changed between vintages: every kommun, gas, year and main sector
-- ('Alla' for the total) under every vintage that reported it, beside the previous one.
with

detail as (select * from {{ ref('int_smhi__kommun_detail_rows') }}),

per_sector as (
    select
        vintage,
        gas,
        kommun_kod,
        year,
        huvudsektor,
        {{ exact_sum("tonnes") }} as tonnes
    from detail
    group by vintage, gas, kommun_kod, year, huvudsektor
),

per_total as (
    select
        vintage,
        gas,
        kommun_kod,
        year,
        'Alla' as huvudsektor,
        {{ exact_sum("tonnes") }} as tonnes
    from detail
    group by vintage, gas, kommun_kod, year
),

values_by_vintage as (
    select * from per_sector
    union all
    select * from per_total
),

compared as (
    select
        kommun_kod,
        gas,
        year,
        huvudsektor,
        vintage,
        tonnes,
        lag(vintage) over w as previous_vintage,
        lag(tonnes) over w as previous_tonnes
    from values_by_vintage
    window w as (partition by kommun_kod, gas, year, huvudsektor order by vintage)
)

select
    kommun_kod,
    gas,
    year,
    huvudsektor,
    vintage,
    tonnes,
    previous_vintage,
    previous_tonnes,
    tonnes - previous_tonnes as change_tonnes,
    100.0 * (tonnes - previous_tonnes) / nullif(previous_tonnes, 0) as change_pct
from compared
