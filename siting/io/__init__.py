"""Reading the files people have and writing workspaces from them.

- :mod:`siting.io.readers`: recognising a file by its content and reading its rows (GeoJSON,
  GeoPackage, Shapefile, CSV, XLSX), coordinates in any form people write them;
- :mod:`siting.io.osm`: OpenStreetMap extracts (``.osm.pbf``, ``.osm``): settlements, administrative
  boundaries and roads, checked and counted before they are read;
- :mod:`siting.io.importer`: importing a file into a workspace layer with a row-by-row report;
- :mod:`siting.io.manifest`: building a workspace from a manifest (a YAML data-source description);
- :mod:`siting.io.census`: the census village table ("abadi" workbook), hierarchical or plain, with its
  subtotals checked;
- :mod:`siting.io.placejoin`: joining census population to place points by code, name and fuzzy name;
- :mod:`siting.io.files`: YAML loading and the package's own data files.
"""
