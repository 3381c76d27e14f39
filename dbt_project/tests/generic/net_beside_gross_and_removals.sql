{#- Emissions and sinks are never summed into one column silently. In a model with this test,
    every column named net_<x> must have, in the same model, a gross_* column (the one named by
    `gross_column`, or the model's only gross_* column) and the column removals_<x>; and on
    every row net_<x> = gross - removals_<x> (within `tolerance` t), null exactly when either is null.
    A net_ column without its partners fails the build with a message naming it. -#}
{% test net_beside_gross_and_removals(model, gross_column=none, tolerance=0.5) %}
{%- if execute -%}
    {%- set names = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
    {%- set nets = [] -%}
    {%- set grosses = [] -%}
    {%- for name in names -%}
        {%- if name.startswith('net_') %}{% do nets.append(name) %}{% endif -%}
        {%- if name.startswith('gross_') %}{% do grosses.append(name) %}{% endif -%}
    {%- endfor -%}
    {%- if gross_column is none -%}
        {%- if grosses | length != 1 -%}
            {{ exceptions.raise_compiler_error(model ~ ": net_beside_gross_and_removals needs exactly one gross_* "
                ~ "column or the argument gross_column; found " ~ (grosses | join(', ') or 'none')) }}
        {%- endif -%}
        {%- set gross = grosses[0] -%}
    {%- else -%}
        {%- set gross = gross_column | lower -%}
    {%- endif -%}
    {%- if nets | length == 0 -%}
        {{ exceptions.raise_compiler_error(model ~ ": net_beside_gross_and_removals found no net_* column") }}
    {%- endif -%}
    {%- for net in nets -%}
        {%- set removals = 'removals_' ~ net[4:] -%}
        {%- if gross not in names or removals not in names -%}
            {{ exceptions.raise_compiler_error(model ~ ": column " ~ net ~ " nets emissions against sinks, so it needs "
                ~ gross ~ " and " ~ removals ~ " beside it in the same model") }}
        {%- endif -%}
    {%- endfor -%}
{%- else -%}
    {%- set nets = [] -%}
    {%- set gross = 'null' -%}
{%- endif %}
{%- for net in nets %}
select '{{ net }}' as net_column, {{ net }} as net_value, {{ gross }} as gross_value,
       removals_{{ net[4:] }} as removals_value
from {{ model }}
where ({{ net }} is null) <> ({{ gross }} is null or removals_{{ net[4:] }} is null)
   or abs({{ net }} - ({{ gross }} - removals_{{ net[4:] }})) > {{ tolerance }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- if nets | length == 0 %}
select 1 as net_column where 1 = 0
{%- endif %}
{% endtest %}
