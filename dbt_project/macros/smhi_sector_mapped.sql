{#- SMHI rows (a CTE or relation with huvudsektor_raw and undersektor_raw) with canonical sector
    names and codes from the mapping seed, which absorbs the spelling changes between releases
    ("uppärmning", "fran"): the published exports (int_smhi__emissions_sector_mapped) and the
    nowcast's archived releases (int_nowcast__releases) map through this one join.
    The seed is joined once per level rather than through one CTE used twice: PostgreSQL
    materializes a CTE used twice and then plans the joins blind (no statistics), which made them
    nested loops. -#}
{% macro smhi_sector_mapped(smhi_rows) %}
    select
        smhi_rows.*,
        main.canonical_name as huvudsektor,
        main.sector_code as huvudsektor_code,
        sub.canonical_name as undersektor,
        sub.sector_code as undersektor_code
    from {{ smhi_rows }} as smhi_rows
    inner join {{ ref('smhi_sector_names') }} as main
        on
            smhi_rows.huvudsektor_raw = main.raw_name
            and main.level = 'huvudsektor'
    inner join {{ ref('smhi_sector_names') }} as sub
        on
            smhi_rows.undersektor_raw = sub.raw_name
            and sub.level = 'undersektor'
{% endmacro %}
