"""Hotline signals: the domain of the dashboard (schema, loading, queries, privacy). No Dash here.

Usable from a notebook:

    import hotline
    data = hotline.load("signals.csv", min_cell=10)
    data.aggregate(by=["state", "trafficking_type"], filters=hotline.Filters(years=(2015, 2019)))
"""

from hotline.dataset import Dataset
from hotline.errors import DataError
from hotline.filters import Filters
from hotline.loading import load, load_bytes, load_demo, load_source

__all__ = ["DataError", "Dataset", "Filters", "load", "load_bytes", "load_demo", "load_source"]
