{#- A sum that does not depend on row order: DuckDB sums doubles in parallel, so the last
    bits change between runs. Summing as DECIMAL(38, 6) is exact (micro-tonnes), which keeps
    re-runs byte-identical and tonnes stay far below the decimal's range. Plain ANSI types,
    so the same on every engine (`double precision` is DuckDB's DOUBLE and Postgres' float8;
    Postgres rounds a double to 15 significant digits on the way in, which for tonnes below
    10^9 still keeps every micro-tonne). Spark (the meter marts, METER_ENGINE=spark) spells it
    `double`. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 6))) as {{ exact_double() }})
{%- endmacro %}
{#- A mean that does not depend on row order, for the same reason: the exact sum over the count. -#}
{% macro exact_avg(expression) -%}
    {{ return(adapter.dispatch('exact_avg')(expression)) }}
{%- endmacro %}

{% macro default__exact_avg(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 6))) / nullif(count({{ expression }}), 0) as double precision)
{%- endmacro %}

{#- Spark would divide the decimals and round the mean to six places: the division is in doubles,
    as DuckDB divides a decimal by a count, so both engines give the same bits. -#}
{% macro spark__exact_avg(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 6))) as double) / nullif(count({{ expression }}), 0)
{%- endmacro %}

{% macro exact_double() -%}
    {{ return(adapter.dispatch('exact_double')()) }}
{%- endmacro %}

{% macro default__exact_double() -%}
    double precision
{%- endmacro %}

{% macro spark__exact_double() -%}
    double
{%- endmacro %}
