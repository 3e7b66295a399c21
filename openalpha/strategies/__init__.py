"""The Strategy API and the built-in strategies (floor 3)."""
