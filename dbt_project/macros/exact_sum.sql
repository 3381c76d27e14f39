{#- A sum that does not depend on row order: DuckDB sums doubles in parallel, so the last
    bits change between runs. Summing as DECIMAL(38, 6) is exact (micro-tonnes), which keeps
    re-runs byte-identical and tonnes stay far below the decimal's range. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 6))) as double)
{%- endmacro %}
