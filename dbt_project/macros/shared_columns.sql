{#- The columns fct_emissions_lan and fct_emissions_sweden share: one SMHI area row (län or Sweden,
    from int_smhi__area_sector_rows) with its unit and provenance, typed as their contracts say. -#}
{% macro smhi_area_emission_columns(area, source_info) -%}
    cast({{ area }}.year as integer)                  as year,
    cast({{ area }}.huvudsektor as varchar)           as huvudsektor,
    cast({{ area }}.huvudsektor_code as varchar)      as huvudsektor_code,
    cast({{ area }}.gas as varchar)                   as gas,
    cast({{ area }}.vintage as date)                  as vintage,
    cast({{ area }}.tonnes as double precision)       as tonnes,
    cast(case {{ area }}.gas when 'CO2e' then 't CO2e' else 't CO2' end as varchar) as unit,
    cast({{ area }}.in_latest_release as boolean)     as in_latest_release,
    cast({{ source_info }}.source_id as varchar)      as source_id,
    cast({{ area }}.smhi_sub as varchar)              as smhi_sub,
    cast({{ area }}.source_file_name as varchar)      as source_file_name,
    cast({{ area }}.source_file_sha256 as varchar)    as source_file_sha256,
    cast({{ area }}.source_row as integer)            as source_row
{%- endmacro %}


{#- The trajectory summary's columns after its entity key, as the Python assets write them
    (pipelines/defs/trajectory): one list for the kommun and the län summaries. -#}
{% macro trajectory_summary_columns() -%}
    method,
    as_of_year,
    last_data_year,
    gas,
    trend_years,
    slope_t_per_year,
    trend_sum_t,
    allowed_sum_t,
    meets_paris,
    net_zero_date,
    budget_t,
    budget_exhausted_date,
    required_reduction_pct,
    gap_2030_t,
    trend_intercept_t,
    trend_method,
    reduction_rate,
    scope_status,
    excluded_t,
    budget_negative
{%- endmacro %}
