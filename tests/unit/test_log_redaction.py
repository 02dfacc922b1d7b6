"""The log file in the home: where it is, what it redacts, what it leaves alone, and rotation."""

from __future__ import annotations

import logging
import secrets
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from render_manager.logs import REDACTED, register_secret, setup_logging

log = logging.getLogger("render_manager.tests.log_redaction")


def _token() -> str:
    return secrets.token_urlsafe(24)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _file_handler(path: Path) -> RotatingFileHandler:
    handlers = [
        h
        for h in logging.getLogger("render_manager").handlers
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path
    ]
    assert len(handlers) == 1, f"expected one handler writing {path}, found {handlers}"
    handler = handlers[0]
    assert isinstance(handler, RotatingFileHandler)
    return handler


@pytest.fixture
def log_file(home: Path) -> Path:
    return setup_logging(home)


def test_logs_go_to_a_file_in_the_home(home: Path) -> None:
    path = setup_logging(home)
    marker = f"engine started {secrets.token_hex(8)}"

    log.info(marker)

    assert path == home / "logs" / "render-manager.log"
    assert marker in _read(path)


def test_switching_home_sends_later_lines_to_the_new_home(tmp_path: Path) -> None:
    first = setup_logging(tmp_path / "first")
    second = setup_logging(tmp_path / "second")
    marker = f"after the switch {secrets.token_hex(8)}"

    log.info(marker)

    assert marker in _read(second)
    assert marker not in _read(first)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Authorization: Bearer {t}", f"Authorization: Bearer {REDACTED}"),
        ("Authorization: Basic {t}", f"Authorization: Basic {REDACTED}"),
        (
            "request headers {{'authorization': 'Bearer {t}', 'accept': 'application/json'}}",
            f"request headers {{'authorization': 'Bearer {REDACTED}', "
            "'accept': 'application/json'}",
        ),
        ("nexrender-secret: {t}", f"nexrender-secret: {REDACTED}"),
        ("GET /api/v2/jobs?token={t} HTTP/1.1", f"GET /api/v2/jobs?token={REDACTED} HTTP/1.1"),
        (
            'body {{"token": "{t}", "name": "Shot 12"}}',
            f'body {{"token": "{REDACTED}", "name": "Shot 12"}}',
        ),
        ("GET /v1/jobs?api_key={t}&page=2", f"GET /v1/jobs?api_key={REDACTED}&page=2"),
        ("X-Api-Key: {t}", f"X-Api-Key: {REDACTED}"),
        ('{{"apiKey": "{t}"}}', f'{{"apiKey": "{REDACTED}"}}'),
    ],
    ids=[
        "bearer",
        "basic",
        "headers-dict",
        "nexrender-secret",
        "query-token",
        "json-token",
        "query-api-key",
        "x-api-key",
        "json-api-key",
    ],
)
def test_credential_looking_values_are_redacted(
    log_file: Path, template: str, expected: str
) -> None:
    # A token no keychain has seen: only the shape of the line can give it away.
    token = _token()

    log.warning(template.format(t=token))

    text = _read(log_file)
    assert token not in text
    assert expected in text


def test_a_credential_passed_as_a_logging_argument_is_redacted(log_file: Path) -> None:
    token = _token()

    log.info("sending %s to %s", {"authorization": f"Bearer {token}"}, "https://example.test")

    text = _read(log_file)
    assert token not in text
    assert f"sending {{'authorization': 'Bearer {REDACTED}'}} to https://example.test" in text


def test_httpx_warnings_are_logged_redacted(log_file: Path) -> None:
    token = _token()

    logging.getLogger("httpx").warning("retrying with Authorization: Bearer %s", token)

    text = _read(log_file)
    assert token not in text
    assert f"retrying with Authorization: Bearer {REDACTED}" in text


def test_a_registered_secret_is_redacted_wherever_it_appears(log_file: Path) -> None:
    token = _token()
    register_secret(token)

    log.warning("job payload was %s.json", token)

    text = _read(log_file)
    assert token not in text
    assert f"job payload was {REDACTED}.json" in text


def test_a_traceback_carrying_a_registered_secret_is_redacted(log_file: Path) -> None:
    token = _token()
    register_secret(token)

    def submit() -> None:
        try:
            raise ConnectionError(f"upload refused for key {token}")
        except ConnectionError as exc:
            raise RuntimeError("submit failed") from exc

    try:
        submit()
    except RuntimeError:
        log.exception("submitting a batch crashed")

    text = _read(log_file)
    assert token not in text
    assert "submitting a batch crashed" in text
    assert "Traceback (most recent call last)" in text
    assert f"ConnectionError: upload refused for key {REDACTED}" in text
    assert "RuntimeError: submit failed" in text


def test_a_traceback_with_a_credential_looking_value_is_redacted(log_file: Path) -> None:
    token = _token()

    try:
        raise ValueError(f"bad response: token={token}")
    except ValueError:
        log.error("polling failed", exc_info=True)

    text = _read(log_file)
    assert token not in text
    assert f"ValueError: bad response: token={REDACTED}" in text


def test_ordinary_text_is_left_alone(log_file: Path) -> None:
    lines = [
        "render of 'Shot 12' finished: 240 frames, output=/renders/shot_012.mov",
        "connection cloud (nexrender-cloud) added",
        "tokens left in the quota: 3",
        "authorized user alice opened the window",
        "password reset is handled by the vendor's site",
    ]
    # Too short to be a real token: registering it must not redact the word everywhere.
    register_secret("local")

    for line in lines:
        log.info(line)
    log.info("connection local has 2 jobs")

    text = _read(log_file)
    for line in lines:
        assert line in text
    assert "connection local has 2 jobs" in text
    assert REDACTED not in text


def test_the_log_rotates_instead_of_growing_without_end(log_file: Path) -> None:
    handler = _file_handler(log_file)
    assert handler.backupCount >= 1
    assert handler.maxBytes > 0
    token = _token()
    register_secret(token)
    backup = log_file.with_name(log_file.name + ".1")
    padding = "x" * 1000
    # Write real lines until the file rolls over; a cap keeps a broken rotation from looping.
    cap = 4 * handler.maxBytes // len(padding)
    written = 0
    while not backup.exists():
        assert written < cap, f"no rotation after {written} lines of {len(padding)} characters"
        log.info("frame %06d %s %s", written, padding, token)
        written += 1
    log.info("frame %06d after the rotation %s", written, token)

    current, rotated = _read(log_file), _read(backup)
    assert log_file.stat().st_size <= handler.maxBytes
    assert backup.stat().st_size <= handler.maxBytes
    assert "frame 000000 " in rotated
    assert f"frame {written:06d} after the rotation {REDACTED}" in current
    assert token not in current
    assert token not in rotated
