"""The simulator's public market endpoints (``/v5/market/*``), served from a Parquet store."""
