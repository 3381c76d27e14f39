{#- Rows of a partner-submission sheet that belong to the submission in force for its
    partner and year (the newest received); earlier submissions stay in raw as history. -#}
{% macro current_partner_rows(table_name) -%}
with

source as ( select * from {{ source('partners', table_name) }} ),
current_submissions as (
    select submission_sha256, received_at from {{ ref('stg_partners__submissions') }} where is_current
)

select
    {{ star_except(source('partners', table_name), except=['sha256'], relation_alias='source') }},
    source.sha256 as submission_sha256,
    current_submissions.received_at
from source
inner join current_submissions on current_submissions.submission_sha256 = source.sha256
{%- endmacro %}
