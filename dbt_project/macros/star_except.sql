{#- The columns of a relation but some, as a select list: the portable form of DuckDB's
    `select * exclude (...)`. Reads the columns from the warehouse when the model runs, in
    their table order; while dbt only parses, it returns `*`. -#}
{% macro star_except(relation, except=[], relation_alias=none) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set excluded = except | map('lower') | list -%}
    {%- set prefix = (relation_alias ~ '.') if relation_alias else '' -%}
    {%- set columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | lower not in excluded -%}
            {%- do columns.append(prefix ~ adapter.quote(column.name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("star_except: no columns left in " ~ relation ~ " (does it exist?)") }}
    {%- endif -%}
    {{ return(columns | join(', ')) }}
{%- endmacro %}
