"""Bybit V5 adapter: signed REST through pybit, WebSocket streams, async market-data client.

``BybitExchange`` (adapter.py) implements :class:`openalpha.exchange.Exchange`; import it from
``openalpha.exchange.bybit.adapter`` (this package stays import-light for the downloader).
"""
