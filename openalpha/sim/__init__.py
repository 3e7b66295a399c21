"""A Bybit V5-compatible exchange simulator on loopback (floor 6)."""
