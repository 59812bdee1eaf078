"""What the dashboard shows, as plain data: Streamlit-free view models, tested without a browser.

- :mod:`ui.views.mapdata`: map-ready records and GeoJSON (colours, pixel radii);
- :mod:`ui.views.picking`: choosing a candidate site on an H3 grid, by coordinates or by name;
- :mod:`ui.views.planning`: what-if coverage, gaps and open sites under changed rule parameters;
- :mod:`ui.views.scenarios`: the scenario runner's tables and texts;
- :mod:`ui.views.upload`: files that arrive as bytes from a browser, and the one file a page works on.
"""
