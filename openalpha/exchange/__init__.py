"""The exchange port (``Exchange`` Protocol), the Bybit adapter and the client-side rate limiter (floor 3)."""
