{#- The read-only role of BI users (var bi_reader_role, default bi_reader): it may read the
    BI-facing schemas (var bi_reader_schemas, default [marts]) and nothing else. Run as the
    project's on-run-end hook, so the tables dbt rebuilds (every mart) are granted again after
    every run. BI logins are members of the role:
    `create role <name> login password '...' in role bi_reader`.
    Default privileges are set for every role that creates tables there: the user running dbt, the
    schema's owner, and the roles in var dbt_roles (other users who run dbt, e.g. CI and an
    operator), each one the running user may act for. -#}
{% macro grant_bi_reader() -%}
    {{ return(adapter.dispatch('grant_bi_reader')(var('bi_reader_role', 'bi_reader'),
                                                  var('bi_reader_schemas', ['marts']),
                                                  var('dbt_roles', []))) }}
{%- endmacro %}

{#- DuckDB has no roles: BI reads a published copy of the file, opened read-only (docs/bi.md). -#}
{% macro duckdb__grant_bi_reader(role, schemas, dbt_roles) -%}
{%- endmacro %}

{#- Postgres: create the role when missing (needs CREATEROLE; otherwise a DBA creates it once),
    then usage and select on the schemas that exist, now and for tables created later.
    New schemas give PUBLIC nothing, so raw, reference, staging and intermediate stay closed; and
    `public`, which before PostgreSQL 15 let every login create tables, is closed too (by its
    owner: a user who does not own it gets a notice to hand to the DBA). -#}
{% macro postgres__grant_bi_reader(role, schemas, dbt_roles) -%}
do $grant_bi_reader$
declare
    target_role constant text := {{ quote_literal_sql(role) }};
    extra_roles constant text[] := array[
        {%- for name in dbt_roles %}{{ quote_literal_sql(name) }}{{ ", " if not loop.last }}{% endfor -%}
    ]::text[];
    schema_name text;
    creator text;
begin
    if not exists (select from pg_catalog.pg_roles where rolname = target_role) then
        if not exists (select from pg_catalog.pg_roles
                       where rolname = current_user and (rolcreaterole or rolsuper)) then
            raise exception 'role % does not exist and % may not create it: a DBA runs `create role % nologin`',
                target_role, current_user, target_role;
        end if;
        execute format('create role %I nologin', target_role);
    end if;
    if pg_catalog.pg_has_role(current_user, (select nspowner from pg_catalog.pg_namespace where nspname = 'public'),
                              'USAGE') then
        revoke create on schema public from public;
    elsif exists (select from pg_catalog.pg_namespace where nspname = 'public'
                  and pg_catalog.has_schema_privilege('public', oid, 'CREATE')) then
        raise notice 'every login may create tables in schema public, and % does not own it: a DBA runs `revoke create on schema public from public`',
            current_user;
    end if;
    foreach schema_name in array array[
        {%- for schema in schemas %}{{ quote_literal_sql(schema) }}{{ ", " if not loop.last }}{% endfor -%}
    ]::text[] loop
        if exists (select from pg_catalog.pg_namespace where nspname = schema_name) then
            execute format('grant usage on schema %I to %I', schema_name, target_role);
            execute format('grant select on all tables in schema %I to %I', schema_name, target_role);
            -- Tables created later by whoever runs dbt: default privileges belong to the creating role.
            for creator in
                select distinct name from unnest(array[current_user::text,
                    (select pg_catalog.pg_get_userbyid(nspowner)::text from pg_catalog.pg_namespace
                     where nspname = schema_name)] || extra_roles) as name
            loop
                if exists (select from pg_catalog.pg_roles where rolname = creator)
                        and pg_catalog.pg_has_role(current_user, creator, 'MEMBER') then
                    execute format('alter default privileges for role %I in schema %I grant select on tables to %I',
                                   creator, schema_name, target_role);
                elsif creator = any(extra_roles) then
                    raise notice 'default privileges for role % in schema % need a member of it: run dbt once as %',
                        creator, schema_name, creator;
                end if;
            end loop;
        end if;
    end loop;
end
$grant_bi_reader$
{%- endmacro %}

{#- A SQL string literal (single quotes doubled), as pipelines/lib/sql.py quote_literal. -#}
{% macro quote_literal_sql(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- Spark builds only the meter models, whose tables the warehouse loads (METER_ENGINE=spark). -#}
{% macro spark__grant_bi_reader(role, schemas, dbt_roles) -%}
{%- endmacro %}
