-- Where the numbers come from: publisher, method and licence of every source.
select
    source_id,
    source_name,
    publisher,
    method,
    url,
    licence
from {{ ref('data_sources') }}
