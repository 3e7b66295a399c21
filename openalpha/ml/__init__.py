"""Machine learning: causal features, labels, purged CV, models, registry (floor 2)."""
