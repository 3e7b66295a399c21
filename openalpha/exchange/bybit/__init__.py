"""Bybit V5 adapter: signed REST through pybit, WebSocket streams, async market-data client."""
