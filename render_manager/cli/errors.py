"""Exit codes and the errors that carry them."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Ends a command with a one-line message on stderr and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class BadInput(CliError):
    """The user's input or usage is wrong: exit 2, nothing written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, EXIT_BAD_INPUT)
