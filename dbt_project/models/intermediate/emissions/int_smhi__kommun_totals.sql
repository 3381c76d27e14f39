-- The file's own `Alla/Alla` total per kommun, year and vintage, to check the parts against.
select
    vintage,
    gas,
    kommun_kod,
    year,
    tonnes as total_tonnes,
    source_file_sha256,
    source_row
from {{ ref('int_smhi__emissions_sector_mapped') }}
where geo_level = 'kommun' and huvudsektor = 'Alla' and undersektor = 'Alla'
