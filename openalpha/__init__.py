"""Open Alpha: a self-hosted trading system for Bybit.

The package is layered (see ARCHITECTURE.md §1): ``domain`` at the bottom, then the pure
rules (``venue``, ``metrics``, ...), I/O adapters, research, the simulator, Ray actors and
finally the UI and CLI. A module only imports from floors below its own.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
