{#- The newest fetch of every key: SCB responses (and SEI files) are kept, every fetch, in raw;
    staging reads only the newest. Returns a select of the relation's own columns (in table
    order, no rank column: star_except, so the same on DuckDB and Postgres) holding, per
    `partition_by`, the row that sorts first by `order_by`.
    - partition_by: the key columns, e.g. ['kommun_kod', 'year'];
    - order_by: newest first, with a tie-breaker, e.g. ['fetched_at desc', 'file_sha256'];
    - rank_function: 'row_number' keeps one row per key; 'dense_rank' keeps every row that ties
      on order_by, i.e. the whole newest file of a file feed partitioned by its data year.
    Use it as the model's source CTE: `source as ( {{ newest_fetch(source('scb', 'x'), ...) }} )`. -#}
{% macro newest_fetch(relation, partition_by, order_by, rank_function='row_number') -%}
    {%- if rank_function not in ['row_number', 'dense_rank'] -%}
        {{ exceptions.raise_compiler_error("newest_fetch: rank_function must be row_number or dense_rank, not "
                                           ~ rank_function) }}
    {%- endif -%}
    select {{ star_except(relation, relation_alias='ranked') }}
    from (
        select
            *,
            {{ rank_function }}() over (
                partition by {{ partition_by | join(', ') }}
                order by {{ order_by | join(', ') }}
            ) as newest_fetch_rank
        from {{ relation }}
    ) as ranked
    where ranked.newest_fetch_rank = 1
{%- endmacro %}
