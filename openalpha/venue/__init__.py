"""Bybit's rules as data and pure functions (floor 2): fees, funding, margin, liquidation, filters."""
