"""Historical data: Parquet store, downloader, verify/repair, importers, shipped sample (floor 4).

The API most callers need::

    from openalpha.data import load_bars, load_market_data, ParquetStore
"""

from openalpha.data.load import DataNotFound, load_bars, load_market_data
from openalpha.data.resample import resample_bars
from openalpha.data.store import DatasetInfo, ParquetStore, StoreError

__all__ = [
    "DataNotFound",
    "DatasetInfo",
    "ParquetStore",
    "StoreError",
    "load_bars",
    "load_market_data",
    "resample_bars",
]
