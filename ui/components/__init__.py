"""Reusable dashboard pieces: formatting, charts, cards, tables, confirmations."""
