"""Rotating log files in the home, with every secret redacted before it is written."""

from __future__ import annotations

import logging
import re
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from render_manager.home import ensure_home, logs_dir

LOG_FILE = "render-manager.log"
REDACTED = "[redacted]"

_PATTERNS = (
    # Authorization: Bearer abc / 'authorization': 'Bearer abc'
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic|token)?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(nexrender-secret['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
    re.compile(r"(?i)((?:api[_-]?)?(?:token|secret|password)['\"]?\s*[:=]\s*['\"]?)[^\s'\",}]+"),
    # api_key=abc in a query string, X-Api-Key: abc as a header, "apiKey": "abc" in JSON
    re.compile(r"(?i)((?:x-)?api[_-]?key['\"]?\s*[:=]\s*['\"]?)[^\s'\",}&]+"),
)

_known_secrets: set[str] = set()
_known_lock = threading.Lock()

# Shorter strings would redact ordinary words that happen to match a weak token.
_MIN_SECRET_LEN = 6


def register_secret(secret: str) -> None:
    """Remember a secret so any log line that contains it verbatim is redacted."""
    if len(secret) >= _MIN_SECRET_LEN:
        with _known_lock:
            _known_secrets.add(secret)


def redact(text: str) -> str:
    """Text with known secrets and credential-looking values replaced by [redacted]."""
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message and traceback with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_handler: logging.Handler | None = None


def setup_logging(home: Path, level: int = logging.INFO) -> Path:
    """Send the app's logs (and httpx's and py-aep's) to a rotating file in the home; returns
    its path."""
    global _handler  # noqa: PLW0603 - one handler per process, replaced when the home changes
    ensure_home(home)
    path = logs_dir(home) / LOG_FILE
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactingFilter())
    # py-aep (the project reader's parser) logs what it skips while reading a project.
    for name in ("render_manager", "httpx", "httpcore", "py_aep"):
        logger = logging.getLogger(name)
        if _handler is not None:
            logger.removeHandler(_handler)
        logger.addHandler(handler)
        logger.setLevel(level if name == "render_manager" else max(level, logging.WARNING))
    if _handler is not None:
        _handler.close()
    _handler = handler
    return path
