"""siting: coverage and siting analysis for Pishkhan and rural ICT offices.

The library behind the ``siting`` command, the dashboard and the planner
notebooks. It never imports streamlit.
"""

__version__ = "0.1.0"
