"""Pure performance statistics on equity curves and trades (floor 2)."""
