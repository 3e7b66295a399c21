"""Historical data: Parquet store, downloader, verify/repair, importers, shipped sample (floor 4)."""
