"""`renderctl connection add|list|remove`, run in-process over an in-memory keyring."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from render_manager import __version__
from render_manager.domain.job import Job
from render_manager.domain.status import JobStatus
from render_manager.store import open_store
from render_manager.store.connections import ConnectionRepository
from render_manager.store.jobs import JobRepository
from tests.unit.cli_runner import Renderctl, renderctl_runner

SERVICE = "render-manager"
CLOUD_URL = "https://api.nexrender.com/api/v2"


@pytest.fixture
def renderctl(
    home: Path,
    memory_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Renderctl:
    """Run `renderctl ARGS...` in this process, over the in-memory keyring and a fresh home."""
    monkeypatch.setattr("keyring.get_keyring", lambda: memory_keyring)

    return renderctl_runner(monkeypatch, capsys)


def _token() -> str:
    return secrets.token_urlsafe(24)


def _stored(home: Path) -> list[str]:
    with open_store(home) as db:
        return [c.name for c in ConnectionRepository(db).list()]


def _listed(renderctl: Renderctl) -> dict[str, dict[str, object]]:
    result = renderctl("connection", "list", "--json")
    assert (result.code, result.err) == (0, "")
    return {entry["name"]: entry for entry in json.loads(result.out)}


def _add_cloud(renderctl: Renderctl, name: str = "cloud") -> str:
    token = _token()
    result = renderctl(
        "connection", "add", name, "--kind", "nexrender-cloud", "--token-stdin", stdin=token + "\n"
    )
    assert result.code == 0, result.err
    return token


def _add_job(home: Path, connection: str, status: JobStatus, raw_status: str) -> None:
    job = Job(
        id=f"job-{secrets.token_hex(4)}",
        connection=connection,
        name="Shot 12",
        status=status,
        raw_status=raw_status,
        created_at=datetime.now(UTC),
    )
    with open_store(home) as db:
        JobRepository(db).upsert_many([job])


def _files_containing(root: Path, needle: str) -> list[Path]:
    data = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and data in p.read_bytes()]


# --- version and a new home --------------------------------------------------------------------


def test_version_is_printed_without_creating_a_home(renderctl, home: Path) -> None:
    result = renderctl("--version")

    assert (result.code, result.out.strip(), result.err) == (0, f"renderctl {__version__}", "")
    assert not home.exists()


def test_a_new_home_lists_the_local_connection(renderctl, home: Path) -> None:
    listed = _listed(renderctl)

    assert list(listed) == ["local"]
    assert listed["local"]["kind"] == "local"
    assert listed["local"]["token"] == "not-needed"

    table = renderctl("connection", "list")
    assert table.code == 0
    rows = table.out.splitlines()
    assert rows[0].split() == ["NAME", "KIND", "URL", "/", "AERENDER", "TOKEN"]
    assert rows[1].split()[:2] == ["local", "local"]
    assert rows[1].split()[-1] == "not-needed"


# --- adding ------------------------------------------------------------------------------------


def test_add_a_cloud_connection_with_the_token_from_stdin(
    renderctl, home: Path, memory_keyring
) -> None:
    token = _token()

    result = renderctl(
        "connection",
        "add",
        "cloud",
        "--kind",
        "nexrender-cloud",
        "--token-stdin",
        stdin=token + "\n",
    )

    assert (result.code, result.err) == (0, "")
    assert "added connection 'cloud'" in result.out
    assert "OS keyring" in result.out
    # The trailing newline of `echo $TOKEN |` is not part of the token.
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}

    listed = _listed(renderctl)
    assert sorted(listed) == ["cloud", "local"]
    assert listed["cloud"]["kind"] == "nexrender-cloud"
    assert listed["cloud"]["url"] == CLOUD_URL
    assert listed["cloud"]["token"] == "set"
    assert listed["cloud"]["token_error"] is None


def test_the_token_is_never_printed_nor_written_to_the_home(renderctl, home: Path) -> None:
    token = _add_cloud(renderctl)
    outputs = [renderctl("connection", "list", "--json"), renderctl("connection", "list")]
    outputs.append(renderctl("connection", "remove", "cloud"))

    assert [r.code for r in outputs] == [0, 0, 0]
    for result in outputs:
        assert token not in result.out + result.err
    assert (home / "logs" / "render-manager.log").is_file()
    assert _files_containing(home, token) == []


def test_a_self_hosted_server_may_be_added_without_a_token(
    renderctl, home: Path, memory_keyring
) -> None:
    result = renderctl(
        "connection", "add", "farm", "--kind", "nexrender-server", "--url", "http://farm.lan:3050"
    )

    assert (result.code, result.err) == (0, "")
    assert memory_keyring.passwords == {}
    listed = _listed(renderctl)
    assert listed["farm"]["url"] == "http://farm.lan:3050"
    assert listed["farm"]["token"] == "missing"


def test_a_cloud_connection_without_a_token_and_no_terminal_is_refused(
    renderctl, home: Path, memory_keyring
) -> None:
    result = renderctl("connection", "add", "shots", "--kind", "rendley")

    assert result.code == 2
    assert "--token-stdin" in result.error_line()
    assert _stored(home) == ["local"]
    assert memory_keyring.passwords == {}


@pytest.mark.parametrize(
    "case",
    [
        (["bad name", "--kind", "local"], "", "connection name 'bad name' is not valid"),
        (["_box", "--kind", "local"], "", "is not valid"),
        (
            ["farm", "--kind", "nexrender-server", "--url", "ftp://farm.lan"],
            "",
            "expected http(s)://",
        ),
        (
            ["farm", "--kind", "nexrender-server", "--url", "https://me:pw@farm.lan"],
            "",
            "must not contain a user name or password",
        ),
        (["farm", "--kind", "nexrender-server"], "", "needs a URL"),
        (
            ["cloud", "--kind", "nexrender-cloud", "--aerender", "/opt/aerender", "--token-stdin"],
            "TOKEN",
            "--aerender applies only to local connections",
        ),
        (
            ["cloud", "--kind", "rendley", "--concurrency", "4", "--token-stdin"],
            "TOKEN",
            "--concurrency applies only to local connections",
        ),
        (["box", "--kind", "local", "--concurrency", "0"], "", "between 1 and"),
        (["box", "--kind", "local", "--token-stdin"], "TOKEN", "drop --token-stdin"),
        (["cloud", "--kind", "nexrender-cloud", "--token-stdin"], "TOKEN with spaces", "white"),
        (["cloud", "--kind", "nexrender-cloud", "--token-stdin"], "TOK\tEN\n", "white"),
        (["cloud", "--kind", "rendley", "--token-stdin"], "\n", "empty"),
        (["cloud", "--kind", "martian", "--token-stdin"], "TOKEN", "invalid choice"),
        (["cloud", "--token-stdin"], "TOKEN", "--kind"),
    ],
    ids=[
        "name-with-space",
        "name-starting-with-underscore",
        "non-http-url",
        "url-with-credentials",
        "server-without-url",
        "aerender-on-cloud",
        "concurrency-on-rendley",
        "zero-concurrency",
        "token-on-local",
        "token-with-space",
        "token-with-tab",
        "empty-token",
        "unknown-kind",
        "missing-kind",
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    renderctl, home: Path, memory_keyring, case: tuple[list[str], str, str]
) -> None:
    argv, stdin, hint = case
    token = stdin.replace("TOKEN", _token())

    result = renderctl("connection", "add", *argv, stdin=token)

    assert result.code == 2
    assert hint in result.error_line()
    assert memory_keyring.passwords == {}
    if home.exists():
        assert _stored(home) == ["local"]


def test_a_duplicate_name_is_refused_and_keeps_the_first_token(
    renderctl, home: Path, memory_keyring
) -> None:
    first = _add_cloud(renderctl)

    result = renderctl(
        "connection", "add", "cloud", "--kind", "rendley", "--token-stdin", stdin=_token()
    )

    assert result.code == 2
    assert "a connection named 'cloud' already exists" in result.error_line()
    assert memory_keyring.passwords == {(SERVICE, "cloud"): first}
    assert _listed(renderctl)["cloud"]["kind"] == "nexrender-cloud"


def test_the_builtin_local_connection_cannot_be_added_twice(renderctl, home: Path) -> None:
    result = renderctl("connection", "add", "local", "--kind", "local")

    assert result.code == 2
    assert "'local' already exists" in result.error_line()
    assert _stored(home) == ["local"]


def test_without_a_keyring_adding_a_cloud_connection_fails_and_stores_nothing(
    renderctl, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("keyring.get_keyring", fail.Keyring)
    token = _token()

    result = renderctl(
        "connection", "add", "cloud", "--kind", "nexrender-cloud", "--token-stdin", stdin=token
    )

    assert result.code == 1
    line = result.error_line()
    assert "no OS keyring is available" in line
    assert "gnome-keyring" in line
    assert _stored(home) == ["local"]
    assert _files_containing(home, token) == []


def test_without_a_keyring_the_list_says_the_token_state_is_unknown(
    renderctl, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_cloud(renderctl)
    monkeypatch.setattr("keyring.get_keyring", fail.Keyring)

    listed = _listed(renderctl)
    assert listed["cloud"]["token"] == "unknown"
    assert "gnome-keyring" in str(listed["cloud"]["token_error"])

    table = renderctl("connection", "list")
    assert table.code == 0
    assert "unknown" in next(row for row in table.out.splitlines() if row.startswith("cloud"))
    assert table.err.startswith("note: no OS keyring is available")


def test_a_keyring_refusal_never_prints_the_token(
    renderctl, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class EchoingKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError(f"cannot store {password} for {username}")

    monkeypatch.setattr("keyring.get_keyring", EchoingKeyring)
    token = _token()

    result = renderctl(
        "connection", "add", "cloud", "--kind", "nexrender-cloud", "--token-stdin", stdin=token
    )

    assert result.code == 1
    assert token not in result.err


# --- removing ----------------------------------------------------------------------------------


def test_remove_deletes_the_keyring_entry_and_the_connection(
    renderctl, home: Path, memory_keyring
) -> None:
    _add_cloud(renderctl)
    other = _add_cloud(renderctl, "cloud-b")

    result = renderctl("connection", "remove", "cloud")

    assert (result.code, result.err) == (0, "")
    assert "removed connection 'cloud' and 0 job(s)" in result.out
    assert memory_keyring.passwords == {(SERVICE, "cloud-b"): other}
    assert _stored(home) == ["cloud-b", "local"]


class LockedKeyring(KeyringBackend):
    """A keyring that holds the tokens but is locked: every call is refused."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


@pytest.mark.parametrize(
    ("unreachable", "reason"),
    [(fail.Keyring, "no OS keyring is available"), (LockedKeyring, "the OS keyring is locked")],
    ids=["absent", "locked"],
)
def test_remove_with_an_unreachable_keyring_keeps_the_connection_and_says_why(
    renderctl,
    home: Path,
    *,
    memory_keyring,
    monkeypatch: pytest.MonkeyPatch,
    unreachable: type[KeyringBackend],
    reason: str,
) -> None:
    token = _add_cloud(renderctl)
    monkeypatch.setattr("keyring.get_keyring", unreachable)

    result = renderctl("connection", "remove", "cloud")

    assert result.code == 1
    line = result.error_line()
    assert "'cloud' was not removed (nothing was changed)" in line
    assert reason in line
    assert "--keep-token" in line
    assert _stored(home) == ["cloud", "local"]
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}

    # Once the keyring answers again, the same command removes both.
    monkeypatch.setattr("keyring.get_keyring", lambda: memory_keyring)
    assert renderctl("connection", "remove", "cloud").code == 0
    assert memory_keyring.passwords == {}
    assert _stored(home) == ["local"]


def test_remove_keep_token_removes_the_connection_and_says_the_token_stays(
    renderctl, home: Path, memory_keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _add_cloud(renderctl)
    monkeypatch.setattr("keyring.get_keyring", fail.Keyring)

    result = renderctl("connection", "remove", "cloud", "--keep-token")

    assert result.code == 0
    assert result.out == "removed connection 'cloud' and 0 job(s)\n"
    assert result.err.startswith("note: the OS keyring was not touched")
    assert _stored(home) == ["local"]
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}


def test_removing_an_unknown_connection_exits_2(renderctl, home: Path) -> None:
    result = renderctl("connection", "remove", "nowhere")

    assert result.code == 2
    assert "no connection named 'nowhere'" in result.error_line()
    assert _stored(home) == ["local"]


def test_a_connection_with_an_unfinished_job_is_kept_unless_forced(
    renderctl, home: Path, memory_keyring
) -> None:
    token = _add_cloud(renderctl)
    _add_job(home, "cloud", JobStatus.RENDERING, "render:dorender")

    refused = renderctl("connection", "remove", "cloud")

    assert refused.code == 1
    line = refused.error_line()
    assert "1 unfinished job(s)" in line
    assert "--force" in line
    assert _stored(home) == ["cloud", "local"]
    assert memory_keyring.passwords == {(SERVICE, "cloud"): token}

    forced = renderctl("connection", "remove", "cloud", "--force")

    assert (forced.code, forced.err) == (0, "")
    assert "removed connection 'cloud' and 1 job(s)" in forced.out
    assert _stored(home) == ["local"]
    assert memory_keyring.passwords == {}
    with open_store(home) as db:
        assert JobRepository(db).list() == []


def test_finished_jobs_do_not_hold_a_connection_back(renderctl, home: Path, memory_keyring) -> None:
    _add_cloud(renderctl)
    _add_job(home, "cloud", JobStatus.FINISHED, "finished")

    result = renderctl("connection", "remove", "cloud")

    assert (result.code, result.err) == (0, "")
    assert "and 1 job(s)" in result.out
    assert _stored(home) == ["local"]
    assert memory_keyring.passwords == {}


# --- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["connection", "frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required"),
        (["connection", "remove"], "NAME"),
        (["connection", "add", "box", "--kind", "local", "--concurrency", "many"], "'many'"),
    ],
    ids=["unknown-command", "unknown-action", "no-command", "missing-name", "non-integer"],
)
def test_usage_errors_exit_2_with_one_line(
    renderctl, home: Path, argv: list[str], hint: str
) -> None:
    result = renderctl(*argv)

    assert result.code == 2
    line = result.error_line()
    assert hint in line
    assert "--help" in line
    assert not home.exists()
