"""The Connections dialog: add, edit, test and remove connections; tokens only in the keyring."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import keyring.errors
import pytest
import qasync
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from render_manager.domain.connection import Connection
from render_manager.domain.engine_settings import OnInterrupted
from render_manager.domain.job import Job
from render_manager.domain.status import BackendKind, JobStatus
from render_manager.keychain import SERVICE, Keychain
from render_manager.services.app_services import AppServices
from render_manager.services.context import AppContext, open_context
from render_manager.ui.connections.dialog import ConnectionsDialog
from tests.conftest import MemoryKeyring
from tests.fakes.nexrender_cloud import TOKEN as CLOUD_TOKEN
from tests.fakes.nexrender_cloud import FakeNexrenderCloud
from tests.fakes.rendley import TOKEN as RENDLEY_TOKEN
from tests.fakes.rendley import FakeRendley
from tests.gui.conftest import open_window

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but stays locked."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


@pytest.fixture
def fakes() -> tuple[FakeNexrenderCloud, FakeRendley]:
    return FakeNexrenderCloud(), FakeRendley()


@pytest.fixture
def dialog(
    qtbot: QtBot, ctx: AppContext, fakes: tuple[FakeNexrenderCloud, FakeRendley]
) -> ConnectionsDialog:
    cloud, rendley = fakes
    transports = {
        BackendKind.NEXRENDER_CLOUD: cloud.transport(),
        BackendKind.RENDLEY: rendley.transport(),
    }
    window = ConnectionsDialog(AppServices(ctx, transport_for=lambda c: transports.get(c.kind)))
    qtbot.addWidget(window)
    return window


def _run(loop: qasync.QEventLoop, dialog: ConnectionsDialog, step: object) -> object:
    """Run one dialog coroutine, then whatever it started, to the end."""

    async def scenario() -> object:
        result = await step  # type: ignore[misc]
        await dialog._tasks.wait_idle()
        return result

    return loop.run_until_complete(scenario())


def _fill_new(
    qtbot: QtBot, dialog: ConnectionsDialog, name: str, kind: BackendKind, token: str
) -> None:
    dialog.new_connection()
    form = dialog.form
    form.kind_combo.setCurrentIndex(form.kind_combo.findData(kind))
    qtbot.keyClicks(form.name_edit, name)
    qtbot.keyClicks(form.token_edit, token)


def _files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (p for p in root.rglob("*") if p.is_file())


def test_a_new_connections_token_goes_to_the_keyring_and_nowhere_else(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    dialog: ConnectionsDialog,
    ctx: AppContext,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    secret = "nx-live-9f8e7d6c5b4a-do-not-leak"
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "cloud", BackendKind.NEXRENDER_CLOUD, secret)
    with qtbot.waitSignal(dialog.connections_changed):
        assert _run(qloop, dialog, dialog.save()) is True

    assert ctx.connections.get("cloud").kind is BackendKind.NEXRENDER_CLOUD
    assert memory_keyring.passwords[(SERVICE, "cloud")] == secret
    assert dialog.form.token_edit.text() == ""
    assert "stored in the OS keyring" in dialog.form.token_state.text()
    assert "cloud" in dialog.model.names()
    # The database (with its WAL), the log and every QSettings file: none holds the token.
    leaked = [
        p for p in _files_under(ctx.home, tmp_path / "qs") if secret.encode() in p.read_bytes()
    ]
    assert leaked == []


def test_test_connection_with_a_wrong_token_says_the_token_was_rejected(
    qtbot: QtBot, qloop: qasync.QEventLoop, dialog: ConnectionsDialog, ctx: AppContext
) -> None:
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "rendley", BackendKind.RENDLEY, "rk_wrong")
    _run(qloop, dialog, dialog.test())
    assert dialog.last_check is not None
    assert not dialog.last_check.ok
    assert "rendley: token rejected" in dialog.message.text()
    assert "rk_wrong" not in dialog.message.text()

    dialog.form.token_edit.clear()
    qtbot.keyClicks(dialog.form.token_edit, RENDLEY_TOKEN)
    _run(qloop, dialog, dialog.test())
    assert dialog.last_check is not None
    assert dialog.last_check.ok
    assert "token accepted" in dialog.message.text()
    # Testing saves nothing.
    assert "rendley" not in [c.name for c in ctx.connections.list()]


def test_test_connection_of_a_saved_connection_uses_the_stored_token(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    dialog: ConnectionsDialog,
    ctx: AppContext,
    keychain: Keychain,
    fakes: tuple[FakeNexrenderCloud, FakeRendley],
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    keychain.set("cloud", CLOUD_TOKEN)
    _run(qloop, dialog, dialog.reload(select="cloud"))
    assert dialog.form.current() == ctx.connections.get("cloud")
    _run(qloop, dialog, dialog.test())
    assert dialog.last_check is not None
    assert dialog.last_check.ok, dialog.message.text()
    assert fakes[0].count("GET") == 1


def test_without_a_keyring_the_dialog_says_so_and_keeps_what_was_typed(
    qtbot: QtBot, qloop: qasync.QEventLoop, home: Path
) -> None:
    ctx = open_context(home, keychain=Keychain(backend=fail.Keyring(), timeout=2.0))
    try:
        dialog = ConnectionsDialog(AppServices(ctx))
        qtbot.addWidget(dialog)
        _run(qloop, dialog, dialog.reload())
        assert not dialog.keyring_banner.isHidden()
        assert "no OS keyring is available" in dialog.keyring_banner.text()
        _fill_new(qtbot, dialog, "cloud", BackendKind.NEXRENDER_CLOUD, "nx-typed")
        assert _run(qloop, dialog, dialog.save()) is False
        assert dialog.message.text().startswith("Not saved: no OS keyring is available")
        assert dialog.form.name_edit.text() == "cloud"
        assert dialog.form.token_edit.text() == "nx-typed"
        assert "cloud" not in [c.name for c in ctx.connections.list()]
    finally:
        ctx.close()


def test_a_locked_keyring_gives_the_keychains_message(
    qtbot: QtBot, qloop: qasync.QEventLoop, home: Path
) -> None:
    ctx = open_context(home, keychain=Keychain(backend=LockedKeyring(), timeout=2.0))
    try:
        dialog = ConnectionsDialog(AppServices(ctx))
        qtbot.addWidget(dialog)
        _run(qloop, dialog, dialog.reload())
        assert "the OS keyring is locked" in dialog.keyring_banner.text()
        _fill_new(qtbot, dialog, "rendley", BackendKind.RENDLEY, "rk_typed")
        assert _run(qloop, dialog, dialog.save()) is False
        assert "unlock it" in dialog.message.text()
    finally:
        ctx.close()


def _job(n: int, status: JobStatus) -> Job:
    return Job(
        id=f"job-{n}",
        connection="cloud",
        name=f"shot {n}",
        status=status,
        raw_status="queued" if status is JobStatus.QUEUED else status.value,
        created_at=T0,
    )


def test_remove_asks_first_saying_how_many_jobs_go_with_it(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    dialog: ConnectionsDialog,
    ctx: AppContext,
    keychain: Keychain,
    memory_keyring: MemoryKeyring,
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    keychain.set("cloud", CLOUD_TOKEN)
    ctx.jobs.upsert_many(
        [_job(1, JobStatus.FINISHED), _job(2, JobStatus.FAILED), _job(3, JobStatus.QUEUED)]
    )
    _run(qloop, dialog, dialog.reload(select="cloud"))
    _run(qloop, dialog, dialog.confirm_remove("cloud"))
    box = dialog.confirm_box
    assert box is not None
    assert "The store keeps 3 jobs of this connection" in box.informativeText()
    assert "1 of them have not finished" in box.informativeText()
    assert "token is deleted from the OS keyring" in box.informativeText()
    # Nothing happened yet; Enter would cancel.
    assert box.defaultButton().text() == "Cancel"
    assert "cloud" in [c.name for c in ctx.connections.list()]

    (remove,) = [b for b in box.buttons() if b.text() == "Remove"]
    with qtbot.waitSignal(dialog.connections_changed):
        remove.click()
        _run(qloop, dialog, asyncio.sleep(0))
    assert "cloud" not in [c.name for c in ctx.connections.list()]
    assert (SERVICE, "cloud") not in memory_keyring.passwords
    assert ctx.jobs.list(connection="cloud") == []
    assert dialog.message.text() == "Removed cloud and 3 jobs."


def test_local_engine_settings_are_edited_and_aerender_is_checked(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    dialog: ConnectionsDialog,
    ctx: AppContext,
    fake_aerender: Path,
) -> None:
    _run(qloop, dialog, dialog.reload(select="local"))
    form = dialog.form
    assert not form.local_group.isHidden()
    assert form.token_edit.isHidden()
    qtbot.keyClicks(form.aerender_edit, str(fake_aerender))
    form.concurrency_spin.setValue(3)
    qtbot.keyClicks(form.args_edit, "-mfr ON 80 -mem_usage 50 0")
    form.stall_spin.setValue(120)
    form.max_time_spin.setValue(3600)
    form.retries_spin.setValue(2)
    form.interrupted_combo.setCurrentIndex(form.interrupted_combo.findData(OnInterrupted.REQUEUE))
    form.injection_check.setChecked(True)
    assert _run(qloop, dialog, dialog.save()) is True

    local = ctx.connections.get("local")
    assert local.aerender == str(fake_aerender)
    assert local.concurrency == 3
    assert local.extra_args == ("-mfr", "ON", "80", "-mem_usage", "50", "0")
    assert local.engine.stall_timeout_s == 120
    assert local.engine.max_render_time_s == 3600
    assert local.engine.retries == 2
    assert local.engine.on_interrupted is OnInterrupted.REQUEUE
    assert local.engine.script_injection
    _run(qloop, dialog, dialog.test())
    assert dialog.message.text() == f"aerender found: {fake_aerender}"

    form.aerender_edit.setText(str(fake_aerender.parent / "missing"))
    _run(qloop, dialog, dialog.test())
    assert dialog.message.text().startswith("local: aerender not found: the aerender set on")
    assert "Type or browse to aerender above" in dialog.message.text()
    assert "in Connections" not in dialog.message.text()
    assert dialog.form.aerender_state.text().startswith("aerender not found")


def test_what_was_typed_survives_switching_connections_and_closing_asks_first(
    qtbot: QtBot, qloop: qasync.QEventLoop, dialog: ConnectionsDialog
) -> None:
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "draft", BackendKind.RENDLEY, "rk_half_typed")
    dialog.list_view.setCurrentIndex(dialog.model.index(dialog.model.names().index("local")))
    assert dialog.form.current() is not None
    dialog.new_connection()
    assert dialog.form.name_edit.text() == "draft"
    assert dialog.form.token_edit.text() == "rk_half_typed"
    assert dialog.form.kind() is BackendKind.RENDLEY

    dialog.show()
    dialog.reject()
    assert dialog.isVisible()
    assert dialog.confirm_box is not None
    assert "a new connection" in dialog.confirm_box.text()
    (discard,) = [b for b in dialog.confirm_box.buttons() if b.text() == "Discard"]
    discard.click()
    assert not dialog.isVisible()


def test_invalid_input_is_explained_and_not_saved(
    qtbot: QtBot, qloop: qasync.QEventLoop, dialog: ConnectionsDialog, ctx: AppContext
) -> None:
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "farm", BackendKind.NEXRENDER_SERVER, "")
    assert _run(qloop, dialog, dialog.save()) is False
    message = dialog.message.text()
    assert message.startswith("Not saved: a nexrender-server connection needs")
    assert "URL" in message
    qtbot.keyClicks(dialog.form.url_edit, "http://127.0.0.1:3050")
    assert _run(qloop, dialog, dialog.save()) is True
    assert ctx.connections.get("farm").url == "http://127.0.0.1:3050"


class OutOfReachKeyring(MemoryKeyring):
    """A keyring holding the tokens that stops answering: absent (no Secret Service on the
    bus any more) or locked."""

    def __init__(self) -> None:
        super().__init__()
        self.refusal: keyring.errors.KeyringError | None = None

    def get_password(self, service: str, username: str) -> str | None:
        self._refuse()
        return super().get_password(service, username)

    def delete_password(self, service: str, username: str) -> None:
        self._refuse()
        super().delete_password(service, username)

    def _refuse(self) -> None:
        if self.refusal is not None:
            raise self.refusal


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        (keyring.errors.NoKeyringError("No recommended backend"), "no OS keyring is available"),
        (keyring.errors.KeyringLocked("locked"), "the OS keyring is locked"),
    ],
    ids=["absent", "locked"],
)
def test_remove_with_the_keyring_out_of_reach_keeps_the_connection_and_shows_why(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    home: Path,
    refusal: keyring.errors.KeyringError,
    reason: str,
) -> None:
    backend = OutOfReachKeyring()
    context = open_context(home, keychain=Keychain(backend=backend, timeout=2.0))
    try:
        context.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
        context.keychain.set("cloud", CLOUD_TOKEN)
        dialog = ConnectionsDialog(AppServices(context))
        qtbot.addWidget(dialog)
        dialog.show()
        _run(qloop, dialog, dialog.reload(select="cloud"))
        backend.refusal = refusal
        _run(qloop, dialog, dialog.confirm_remove("cloud"))
        box = dialog.confirm_box
        assert box is not None
        (remove,) = [b for b in box.buttons() if b.text() == "Remove"]
        remove.click()
        _run(qloop, dialog, asyncio.sleep(0))

        text = dialog.message.text()
        assert text.startswith("cloud was not removed (nothing was changed): its API token")
        assert dialog.message.isVisible()
        assert dialog.keyring_banner.isVisible()
        assert reason in dialog.keyring_banner.text()
        assert "cloud" in [c.name for c in context.connections.list()]
        assert backend.passwords == {(SERVICE, "cloud"): CLOUD_TOKEN}
    finally:
        context.close()


def test_a_wrong_token_points_at_the_field_not_at_the_dialog_itself(
    qtbot: QtBot, qloop: qasync.QEventLoop, dialog: ConnectionsDialog
) -> None:
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "rendley", BackendKind.RENDLEY, "rk_wrong")
    _run(qloop, dialog, dialog.test())
    text = dialog.message.text()
    assert text.startswith("rendley: token rejected")
    assert "in Connections" not in text
    assert "Type the right one into API token above" in text


def test_a_successful_test_is_the_rows_health_at_once(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    dialog: ConnectionsDialog,
    ctx: AppContext,
    keychain: Keychain,
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    keychain.set("cloud", CLOUD_TOKEN)
    _run(qloop, dialog, dialog.reload(select="cloud"))
    row = dialog.model.index(dialog.model.names().index("cloud"))
    assert row.data() == "cloud\nNot checked yet"
    with qtbot.waitSignal(dialog.health_checked) as checked:
        _run(qloop, dialog, dialog.test())
    assert row.data() == "cloud\nOK"
    assert checked.args[0]["cloud"].ok


def test_a_new_connection_tested_then_saved_shows_the_test(
    qtbot: QtBot, qloop: qasync.QEventLoop, dialog: ConnectionsDialog
) -> None:
    _run(qloop, dialog, dialog.reload())
    _fill_new(qtbot, dialog, "rendley", BackendKind.RENDLEY, RENDLEY_TOKEN)
    _run(qloop, dialog, dialog.test())
    assert dialog.last_check is not None
    assert dialog.last_check.ok
    assert _run(qloop, dialog, dialog.save()) is True
    row = dialog.model.index(dialog.model.names().index("rendley"))
    assert row.data() == "rendley\nOK"


def test_the_side_panel_shows_a_successful_test_at_once(
    qtbot: QtBot,
    qloop: qasync.QEventLoop,
    *,
    ctx: AppContext,
    keychain: Keychain,
    fakes: tuple[FakeNexrenderCloud, FakeRendley],
) -> None:
    ctx.connections.add(Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD))
    keychain.set("cloud", CLOUD_TOKEN)
    transport = fakes[0].transport()
    services = AppServices(ctx, transport_for=lambda _c: transport)
    window = open_window(qtbot, qloop, ctx, services)
    panel = window.side_panel.connections
    row = panel.index(panel.names().index("cloud"))
    assert row.data() == "cloud\nNot checked yet"
    dialog = window.dialogs.connections("cloud")
    _run(qloop, dialog, dialog.reload(select="cloud"))
    _run(qloop, dialog, dialog.test())
    assert row.data() == "cloud\nOK"
