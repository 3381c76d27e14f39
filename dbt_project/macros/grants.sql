{#- The read-only role of BI users (var bi_reader_role, default bi_reader): it may read the
    BI-facing schemas (var bi_reader_schemas, default [marts]) and nothing else. Run as the
    project's on-run-end hook, so the tables dbt rebuilds (every mart) are granted again after
    every run. BI logins are members of the role:
    `create role <name> login password '...' in role bi_reader`. -#}
{% macro grant_bi_reader() -%}
    {{ return(adapter.dispatch('grant_bi_reader')(var('bi_reader_role', 'bi_reader'),
                                                  var('bi_reader_schemas', ['marts']))) }}
{%- endmacro %}

{#- DuckDB has no roles: BI reads a published copy of the file, opened read-only (docs/bi.md). -#}
{% macro duckdb__grant_bi_reader(role, schemas) -%}
{%- endmacro %}

{#- Postgres: create the role when missing (needs CREATEROLE; otherwise a DBA creates it once),
    then usage and select on the schemas that exist, now and for tables created later.
    New schemas give PUBLIC nothing, so raw, reference, staging and intermediate stay closed. -#}
{% macro postgres__grant_bi_reader(role, schemas) -%}
do $grant_bi_reader$
declare
    target_role constant text := '{{ role | replace("'", "''") }}';
    schema_name text;
begin
    if not exists (select from pg_catalog.pg_roles where rolname = target_role) then
        if not exists (select from pg_catalog.pg_roles
                       where rolname = current_user and (rolcreaterole or rolsuper)) then
            raise exception 'role % does not exist and % may not create it: a DBA runs `create role % nologin` once',
                target_role, current_user, target_role;
        end if;
        execute format('create role %I nologin', target_role);
    end if;
    foreach schema_name in array array[
        {%- for schema in schemas %}'{{ schema | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
    ]::text[] loop
        if exists (select from pg_catalog.pg_namespace where nspname = schema_name) then
            execute format('grant usage on schema %I to %I', schema_name, target_role);
            execute format('grant select on all tables in schema %I to %I', schema_name, target_role);
            execute format('alter default privileges in schema %I grant select on tables to %I',
                           schema_name, target_role);
        end if;
    end loop;
end
$grant_bi_reader$
{%- endmacro %}
