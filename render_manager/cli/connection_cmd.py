"""`renderctl connection add|set|list|remove`."""

from __future__ import annotations

import argparse
import getpass
import json
import shlex
import sys
from dataclasses import replace
from typing import Any, TextIO

from render_manager.cli.errors import EXIT_OK, BadInput, CliError
from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import EngineSettings, OnInterrupted
from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind
from render_manager.engine.locate import SET_ON_CONNECTION
from render_manager.keychain import SERVICE
from render_manager.services.app_services import AppServices
from render_manager.services.connections import ConnectionInfo, TokenNotDeleted
from render_manager.services.health import LocalReadiness


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `connection` command and its subcommands."""
    parser = commands.add_parser("connection", help="add, list and remove connections")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = sub.add_parser("add", help="add a connection (its token goes to the OS keyring)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--kind", required=True, choices=[k.value for k in BackendKind])
    add.add_argument("--url", help="API base URL (required for nexrender-server)")
    add.add_argument(
        "--token-stdin",
        action="store_true",
        help="read the API token from standard input (otherwise a hidden prompt asks for it)",
    )
    _remote_options(add)
    _local_options(add)
    add.set_defaults(handler=_add)

    edit = sub.add_parser("set", help="change a connection's settings or token")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--url", help="API base URL")
    edit.add_argument(
        "--token-stdin", action="store_true", help="replace the token with one read from stdin"
    )
    _remote_options(edit)
    _local_options(edit)
    edit.set_defaults(handler=_set)

    lst = sub.add_parser("list", help="list connections and whether their token is set")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=_list)

    rm = sub.add_parser("remove", help="remove a connection, its jobs and its keyring entry")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--force", action="store_true", help="remove even if it has unfinished jobs")
    rm.add_argument(
        "--keep-token",
        action="store_true",
        help="do not touch the OS keyring (when it cannot be reached): a token stored there "
        "for this connection stays there",
    )
    rm.set_defaults(handler=_remove)


_ENGINE_FLAGS = {
    "stall_timeout": "stall_timeout_s",
    "max_render_time": "max_render_time_s",
    "retries": "retries",
    "on_interrupted": "on_interrupted",
    "script_injection": "script_injection",
}


def _remote_options(parser: argparse.ArgumentParser) -> None:
    cloud = parser.add_argument_group("Nexrender Cloud (nexrender-cloud connections only)")
    cloud.add_argument(
        "--team-view",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also show the team's jobs created elsewhere (web app, scripts, colleagues); "
        "the first refresh looks back 7 days",
    )


def _local_options(parser: argparse.ArgumentParser) -> None:
    local = parser.add_argument_group("local engine (local connections only)")
    local.add_argument("--aerender", metavar="PATH", help="the aerender executable")
    local.add_argument("--concurrency", type=int, metavar="N", help="renders at once")
    local.add_argument(
        "--aerender-args",
        metavar="ARGS",
        help='extra aerender flags for every render, e.g. "-mfr ON 80 -mem_usage 50 0"',
    )
    local.add_argument(
        "--stall-timeout",
        type=float,
        metavar="S",
        help="fail a render that prints nothing for S seconds (default 600)",
    )
    local.add_argument(
        "--max-render-time",
        type=float,
        metavar="S",
        help="fail a render that takes longer than S seconds (default: no limit)",
    )
    local.add_argument(
        "--retries",
        type=int,
        metavar="N",
        help="render a failed job again up to N times (default 0)",
    )
    local.add_argument(
        "--on-interrupted",
        choices=[o.value for o in OnInterrupted],
        help="a render whose process died while no engine watched: fail it "
        "(default) or queue it again",
    )
    local.add_argument(
        "--script-injection",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="this aerender was patched to accept -r script.jsx (as nexrender's patch does), "
        "so jobs may replace footage and set layer data",
    )


def _engine_changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for flag, field_name in _ENGINE_FLAGS.items():
        value = getattr(args, flag)
        if value is not None:
            changes[field_name] = OnInterrupted(value) if flag == "on_interrupted" else value
    return changes


def _split_args(text: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(text))
    except ValueError as exc:
        raise BadInput(f"--aerender-args: {exc}") from None


def _add(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    try:
        connection = Connection(
            name=args.name,
            kind=BackendKind(args.kind),
            url=args.url,
            aerender=args.aerender,
            concurrency=args.concurrency,
            extra_args=_split_args(args.aerender_args) if args.aerender_args else (),
            engine=EngineSettings(**_engine_changes(args)),
            team_view=bool(args.team_view),
        )
    except DomainError as exc:
        raise BadInput(str(exc)) from None
    token = _read_token(connection, from_stdin=args.token_stdin)
    services.connections.add(connection, token)
    where = " (token stored in the OS keyring)" if token else ""
    print(f"added connection {connection.name!r} ({connection.kind.value}){where}", file=out)
    return EXIT_OK


def _set(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    current = ctx.connections.get(args.name)
    changes: dict[str, Any] = {
        key: getattr(args, key)
        for key in ("url", "aerender", "concurrency")
        if getattr(args, key) is not None
    }
    if args.aerender_args is not None:
        changes["extra_args"] = _split_args(args.aerender_args)
    if args.team_view is not None:
        changes["team_view"] = args.team_view
    try:
        engine = replace(current.engine, **_engine_changes(args))
        updated = replace(current, engine=engine, **changes)
    except DomainError as exc:
        raise BadInput(str(exc)) from None
    token = _read_token(updated, from_stdin=True) if args.token_stdin else None
    if updated == current and token is None:
        raise BadInput("nothing to change: pass at least one setting")
    service = services.connections
    if token is not None:
        service.set_token(updated.name, token)
    if updated != current:
        ctx.connections.update(updated)
    print(f"updated connection {updated.name!r}", file=out)
    return EXIT_OK


def _read_token(connection: Connection, *, from_stdin: bool) -> str | None:
    kind = connection.kind
    if not kind.needs_token:
        if from_stdin:
            raise BadInput("a local connection has no token: drop --token-stdin")
        return None
    if from_stdin:
        token = sys.stdin.read().strip()
    elif sys.stdin.isatty():
        token = getpass.getpass(f"API token for {connection.name} ({kind.value}): ").strip()
    elif kind.token_optional:
        return None
    else:
        raise BadInput(
            f"a {kind.value} connection needs an API token: pipe it in with --token-stdin"
        )
    if not token and not kind.token_optional:
        raise BadInput("the token read was empty")
    if any(ch.isspace() for ch in token):
        raise BadInput("the token contains white space; paste only the token itself")
    return token or None


def _list(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    infos = services.connections.list()
    if args.json:
        json.dump([_as_json(i) for i in infos], out, indent=2)
        out.write("\n")
        return EXIT_OK
    rows = [("NAME", "KIND", "URL / AERENDER", "TOKEN")]
    for info in infos:
        c = info.connection
        where = c.effective_url or c.aerender or ""
        if info.local is not None:
            where = _aerender_cell(info.local)
        rows.append((c.name, c.kind.value, where, info.token.value))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print(
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) + "  " + row[3],
            file=out,
        )
    for info in infos:
        if info.token_error:
            print(f"note: {info.token_error}", file=sys.stderr)
            break
    for info in infos:
        if info.local is not None and not info.local.ready:
            print(f"note: {info.local.describe()}", file=sys.stderr)
    return EXIT_OK


def _aerender_cell(local: LocalReadiness) -> str:
    """The aerender a local connection runs: the path set, the one found, or NOT FOUND."""
    if local.path is None:
        return "NOT FOUND (aerender renders cannot run; encode jobs can)"
    if local.lookup.source == SET_ON_CONNECTION:
        return str(local.path)
    return f"{local.path} (found {local.lookup.source})"


def _as_json(info: ConnectionInfo) -> dict[str, object]:
    c = info.connection
    return {
        "name": c.name,
        "kind": c.kind.value,
        "url": c.effective_url,
        "aerender": c.aerender,
        # A local connection's aerender as looked for now: what runs, or why nothing can.
        "aerender_found": None
        if info.local is None or info.local.path is None
        else str(info.local.path),
        "ready": None if info.local is None else info.local.ready,
        "not_ready_reason": None if info.local is None else info.local.reason,
        "concurrency": c.concurrency,
        "token": info.token.value,
        "token_error": info.token_error,
        "engine": c.engine.to_json() if c.kind is BackendKind.LOCAL else None,
        "aerender_args": list(c.extra_args),
        "team_view": c.team_view if c.kind is BackendKind.NEXRENDER_CLOUD else None,
    }


def _remove(services: AppServices, args: argparse.Namespace, out: TextIO) -> int:
    ctx = services.ctx
    service = services.connections
    needs_token = ctx.connections.get(args.name).kind.needs_token
    try:
        jobs = service.remove(args.name, force=args.force, delete_token=not args.keep_token)
    except TokenNotDeleted as exc:
        raise CliError(
            f"{exc} (or pass --keep-token to remove the connection and leave the token there)"
        ) from None
    print(f"removed connection {args.name!r} and {jobs} job(s)", file=out)
    if args.keep_token and needs_token:
        print(
            f"note: the OS keyring was not touched: a token stored for {args.name!r} "
            f"(service {SERVICE!r}, user {args.name!r}) is still there",
            file=sys.stderr,
        )
    return EXIT_OK
