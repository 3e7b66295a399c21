"""Walk-forward, Ray Tune sweeps, overfitting statistics, Monte Carlo (floor 5)."""
