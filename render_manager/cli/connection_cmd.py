"""`renderctl connection add|list|remove`."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TextIO

from render_manager.cli.errors import EXIT_OK, BadInput
from render_manager.domain.connection import Connection
from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind
from render_manager.services.connections import ConnectionInfo, ConnectionService
from render_manager.services.context import AppContext


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
    add.add_argument("--aerender", metavar="PATH", help="aerender executable (local only)")
    add.add_argument("--concurrency", type=int, metavar="N", help="renders at once (local only)")
    add.set_defaults(handler=_add)

    lst = sub.add_parser("list", help="list connections and whether their token is set")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(handler=_list)

    rm = sub.add_parser("remove", help="remove a connection, its jobs and its keyring entry")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--force", action="store_true", help="remove even if it has unfinished jobs")
    rm.set_defaults(handler=_remove)


def _add(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    try:
        connection = Connection(
            name=args.name,
            kind=BackendKind(args.kind),
            url=args.url,
            aerender=args.aerender,
            concurrency=args.concurrency,
        )
    except DomainError as exc:
        raise BadInput(str(exc)) from None
    token = _read_token(connection, from_stdin=args.token_stdin)
    ConnectionService(ctx.connections, ctx.keychain).add(connection, token)
    where = " (token stored in the OS keyring)" if token else ""
    print(f"added connection {connection.name!r} ({connection.kind.value}){where}", file=out)
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
    elif kind is BackendKind.NEXRENDER_SERVER:
        return None  # a self-hosted server may run without a secret
    else:
        raise BadInput(
            f"a {kind.value} connection needs an API token: pipe it in with --token-stdin"
        )
    if not token and kind is not BackendKind.NEXRENDER_SERVER:
        raise BadInput("the token read was empty")
    if any(ch.isspace() for ch in token):
        raise BadInput("the token contains white space; paste only the token itself")
    return token or None


def _list(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    infos = ConnectionService(ctx.connections, ctx.keychain).list()
    if args.json:
        json.dump([_as_json(i) for i in infos], out, indent=2)
        out.write("\n")
        return EXIT_OK
    rows = [("NAME", "KIND", "URL / AERENDER", "TOKEN")]
    for info in infos:
        c = info.connection
        where = c.effective_url or c.aerender or "(auto-detect)"
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
    return EXIT_OK


def _as_json(info: ConnectionInfo) -> dict[str, object]:
    c = info.connection
    return {
        "name": c.name,
        "kind": c.kind.value,
        "url": c.effective_url,
        "aerender": c.aerender,
        "concurrency": c.concurrency,
        "token": info.token.value,
        "token_error": info.token_error,
    }


def _remove(ctx: AppContext, args: argparse.Namespace, out: TextIO) -> int:
    jobs = ConnectionService(ctx.connections, ctx.keychain).remove(args.name, force=args.force)
    print(f"removed connection {args.name!r} and {jobs} job(s)", file=out)
    return EXIT_OK
