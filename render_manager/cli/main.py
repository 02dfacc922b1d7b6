"""The `renderctl` entry point: argument parsing, dispatch and exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from render_manager import __version__
from render_manager.cli import (
    batches_cmd,
    connection_cmd,
    engine_cmd,
    inspect_cmd,
    jobs_cmd,
    pause_cmd,
    priority_cmd,
    retry_cmd,
    submit_cmd,
)
from render_manager.cli.errors import EXIT_BAD_INPUT, EXIT_FAILED, BadInput, CliError
from render_manager.domain.job import DomainError
from render_manager.keychain import KeychainError
from render_manager.services.app_services import AppServices
from render_manager.services.context import open_context
from render_manager.store.engine_lock import EngineBusy
from render_manager.store.errors import (
    ConnectionExists,
    ConnectionInUse,
    StoreError,
    UnknownConnection,
)

if TYPE_CHECKING:
    # A type only: the HTTP stack loads with the first command that talks to a service.
    from render_manager.services.job_service import TransportFactory

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error and exit code 2."""

    def error(self, message: str) -> NoReturn:
        hint = f"see {self.prog} --help"
        if "unrecognized arguments: -" in message or "expected one argument" in message:
            # Job ids of a nexrender server can start with '-', which reads as an option.
            hint += "; a job id that starts with '-' goes after '--', e.g. cancel -- -2sgJm"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} ({hint})\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar."""
    parser = _Parser(
        prog="renderctl",
        description="Render Manager from the command line: connections, jobs and the engine.",
    )
    parser.add_argument("--version", action="version", version=f"renderctl {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="the Render Manager home (default: $RENDER_MANAGER_HOME or the user data folder)",
    )
    commands: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    connection_cmd.register(commands)
    submit_cmd.register(commands)
    jobs_cmd.register(commands)
    retry_cmd.register(commands)
    pause_cmd.register(commands)
    priority_cmd.register(commands)
    batches_cmd.register(commands)
    engine_cmd.register(commands)
    inspect_cmd.register(commands)
    return parser


_BAD_INPUT = (BadInput, DomainError, ConnectionExists, UnknownConnection)
_FAILED = (KeychainError, ConnectionInUse, EngineBusy, StoreError, OSError)


def main(
    argv: Sequence[str] | None = None, *, transport_for: TransportFactory | None = None
) -> int:
    """Run one command; returns the exit code (0 ok, 1 failed, 2 bad input).

    `transport_for` puts a transport behind every remote connection (tests: loopback fakes).
    """
    args = build_parser().parse_args(argv)
    try:
        with open_context(args.home) as ctx:
            # Built once per command, and handed to it: nothing below builds its own.
            services = AppServices(ctx, transport_for=transport_for, engine_command="renderctl")
            return int(args.handler(services, args, sys.stdout))
    except CliError as exc:
        return _fail(args, str(exc), exc.code)
    except _BAD_INPUT as exc:
        return _fail(args, str(exc), EXIT_BAD_INPUT)
    except _FAILED as exc:
        return _fail(args, str(exc), EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail(args, "interrupted", EXIT_FAILED)
    except Exception:
        log.exception("renderctl %s crashed", args.command)
        raise


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    log.info("renderctl %s: exit %d: %s", args.command, code, message)
    print(f"renderctl: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
