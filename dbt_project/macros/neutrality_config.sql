{#- The settings of the climate-neutrality check, from dbt vars only. Their one default lives in
    Python (pipelines/settings.py), which passes every one of them as a var on each dbt invocation;
    a var left out stops the run with dbt's "Required var ... not found" (docs/analysts.md, sinks; docs/operators.md, configuration):
    - neutrality_min_quality: the lowest sink quality class that counts towards covering residual emissions;
    - neutrality_min_permanence: the lowest permanence class that counts ('100-1000' with a hyphen is accepted);
    - neutrality_trend_method: the trajectory preset whose trend gives the projected emissions;
    - neutrality_target_year: the year of the projection. -#}
{% macro neutrality_config() %}
    {#- While dbt only parses (dbt parse, the manifest Dagster loads) vars are not passed and read as none:
        nothing to check yet. -#}
    {%- if not execute -%}
        {{ return({'min_quality': none, 'min_permanence': none, 'trend_method': none, 'target_year': none}) }}
    {%- endif -%}
    {%- set qualities = ['measured', 'reported', 'modelled', 'downscaled'] -%}
    {%- set permanences = ['över 1000 år', '100–1000 år', 'under 100 år'] -%}
    {%- set quality = var('neutrality_min_quality') | trim -%}
    {%- set permanence = var('neutrality_min_permanence') | trim | replace('100-1000', '100–1000') -%}
    {%- set trend_method = var('neutrality_trend_method') | trim -%}
    {%- set target_year = var('neutrality_target_year') | string | trim -%}
    {%- if quality not in qualities -%}
        {{ exceptions.raise_compiler_error("var neutrality_min_quality is '" ~ quality
                                           ~ "'; expected one of " ~ qualities | join(', ')) }}
    {%- endif -%}
    {%- if permanence not in permanences -%}
        {{ exceptions.raise_compiler_error("var neutrality_min_permanence is '" ~ permanence
                                           ~ "'; expected one of " ~ permanences | join(', ')) }}
    {%- endif -%}
    {%- if not trend_method -%}
        {{ exceptions.raise_compiler_error("var neutrality_trend_method is empty; expected a method of seeds/trajectory_methods.csv") }}
    {%- endif -%}
    {%- if not target_year.isdigit() -%}
        {{ exceptions.raise_compiler_error("var neutrality_target_year is '" ~ target_year ~ "'; expected a year") }}
    {%- endif -%}
    {{ return({
        'min_quality': quality,
        'min_permanence': permanence,
        'trend_method': trend_method,
        'target_year': target_year | int,
    }) }}
{% endmacro %}
