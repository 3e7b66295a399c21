"""Errors of the ML layer: each a ValueError with a one-line message."""

from __future__ import annotations


class MLError(ValueError):
    """Bad input to a feature, label, validation or model function."""


class MissingFeaturesError(MLError):
    """A model was asked to predict on data that lacks features it was trained on."""


class ModelRegistryError(MLError):
    """A model cannot be found, saved or verified in the registry."""
