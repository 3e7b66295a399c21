"""The strategy stage machine: backtest, paper, testnet, mainnet (floor 3)."""
