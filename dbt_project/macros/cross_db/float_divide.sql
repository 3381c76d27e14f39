{#- numerator / denominator for doubles, with IEEE 754's answer for a zero denominator
    (+inf, -inf, or NaN for 0/0) on every engine. -#}
{% macro float_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('float_divide')(numerator, denominator)) }}
{%- endmacro %}

{#- DuckDB divides doubles by IEEE 754 already: x / 0.0 is inf. -#}
{% macro default__float_divide(numerator, denominator) -%}
    ({{ numerator }}) / ({{ denominator }})
{%- endmacro %}

{#- Postgres raises division_by_zero instead, so the zero case is spelled out (a negative zero
    denominator counts as positive here). -#}
{% macro postgres__float_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) = 0 then
            case
                when ({{ numerator }}) > 0 then cast('Infinity' as double precision)
                when ({{ numerator }}) < 0 then cast('-Infinity' as double precision)
                when ({{ numerator }}) = 0 then cast('NaN' as double precision)
            end
        else ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}
