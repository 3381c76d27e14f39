{#- Column comments on DuckDB as dbt-duckdb writes them, less what no reader needs: a second
    `describe` of the relation (dbt's persist_docs has already kept only the columns that exist,
    through validate_doc_columns) and `comment on column ... is ''` for a column without a
    description. Every described column keeps its comment. -#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {%- if validate_doc_columns is not defined -%}
    {#- older dbt-adapters hand over every documented column: keep those that exist -#}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
    {%- set kept = {} -%}
    {%- for name in column_dict if name in existing -%}{%- do kept.update({name: column_dict[name]}) -%}{%- endfor -%}
    {%- set column_dict = kept -%}
  {%- endif -%}
  {% for column_name, column in column_dict.items() if column['description'] %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column['quote'] else column_name }} is {{ duckdb_escape_comment(column['description']) }};
  {% endfor %}
{% endmacro %}
