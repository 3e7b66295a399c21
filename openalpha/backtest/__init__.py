"""The backtest engine: targets to fills, fees, funding, liquidations, equity (floor 4)."""
