"""Configuration files shipped with the package (default.toml, strategies/, sweeps/)."""
