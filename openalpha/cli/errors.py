"""The CLI's error type: a one-line reason and an exit code."""

from __future__ import annotations


class CliError(Exception):
    """Bad input or a failed operation, reported as ``openalpha: error: <message>``."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
