"""Connection settings: names, URLs and which options go with which kind."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from render_manager.domain.connection import MAX_CONCURRENCY, Connection
from render_manager.domain.job import DomainError
from render_manager.domain.status import BackendKind

REMOTE = (BackendKind.NEXRENDER_CLOUD, BackendKind.NEXRENDER_SERVER, BackendKind.RENDLEY)
NAME_FIRST = string.ascii_letters + string.digits
NAME_REST = NAME_FIRST + "._-"

valid_names = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(NAME_FIRST),
    st.text(alphabet=NAME_REST, max_size=63),
)


def _url_for(kind: BackendKind) -> str | None:
    return "https://render.example.com:3050" if kind is BackendKind.NEXRENDER_SERVER else None


@given(name=valid_names, kind=st.sampled_from(list(BackendKind)))
def test_plain_names_up_to_64_characters_are_accepted(name: str, kind: BackendKind) -> None:
    assert Connection(name=name, kind=kind, url=_url_for(kind)).name == name


@pytest.mark.parametrize(
    "name",
    ["", ".hidden", "-flag", "_under", "has space", "slash/name", "semi;colon", "é", "a" * 65],
)
def test_unsafe_names_are_rejected(name: str) -> None:
    with pytest.raises(DomainError, match="connection name"):
        Connection(name=name, kind=BackendKind.LOCAL)


@given(
    name=valid_names,
    bad=st.characters(exclude_characters=NAME_REST, exclude_categories=["Cs"]),
    at=st.integers(min_value=0, max_value=64),
)
def test_a_name_with_any_other_character_is_rejected(name: str, bad: str, at: int) -> None:
    position = min(at, len(name), 63)
    unsafe = (name[:position] + bad + name[position:])[:64]
    assert bad in unsafe
    # A newline at the very end is the known bug, tested on its own below.
    assume(not unsafe.endswith("\n"))
    with pytest.raises(DomainError, match="connection name"):
        Connection(name=unsafe, kind=BackendKind.LOCAL)


def test_a_name_ending_in_a_newline_is_rejected() -> None:
    with pytest.raises(DomainError, match="connection name"):
        Connection(name="studio\n", kind=BackendKind.LOCAL)


@pytest.mark.parametrize(
    "url",
    ["http://render.local:3050", "https://render.example.com/api", "HTTPS://render.example.com"],
)
def test_http_and_https_urls_are_accepted(url: str) -> None:
    conn = Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url=url)
    assert conn.url == url
    assert conn.effective_url == url


@pytest.mark.parametrize(
    "url",
    ["ftp://render.example.com", "file:///srv/render", "ws://render.local", "render.local:3050"],
)
def test_other_schemes_are_rejected(url: str) -> None:
    with pytest.raises(DomainError, match="not valid"):
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url=url)


@pytest.mark.parametrize("url", ["http://", "https:///path-only"])
def test_url_without_a_host_is_rejected(url: str) -> None:
    with pytest.raises(DomainError, match="not valid"):
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://admin:secret@render.example.com",
        "https://admin@render.example.com",
        "http://:secret@render.local:3050",
    ],
)
@pytest.mark.parametrize("kind", REMOTE)
def test_credentials_in_the_url_are_rejected(kind: BackendKind, url: str) -> None:
    with pytest.raises(DomainError, match="user name or password"):
        Connection(name="farm", kind=kind, url=url)


def test_malformed_url_is_a_domain_error() -> None:
    with pytest.raises(DomainError):
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://[::1")


def test_self_hosted_server_needs_a_url() -> None:
    with pytest.raises(DomainError, match="needs a URL"):
        Connection(name="farm", kind=BackendKind.NEXRENDER_SERVER)


def test_local_connection_has_no_url() -> None:
    with pytest.raises(DomainError, match="local connection has no URL"):
        Connection(name="box", kind=BackendKind.LOCAL, url="http://localhost:3050")


@given(concurrency=st.integers(min_value=1, max_value=MAX_CONCURRENCY))
def test_local_concurrency_within_bounds_is_kept(concurrency: int) -> None:
    conn = Connection(name="box", kind=BackendKind.LOCAL, concurrency=concurrency)
    assert conn.concurrency == concurrency


@given(concurrency=st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_CONCURRENCY + 1)))
def test_local_concurrency_outside_bounds_is_rejected(concurrency: int) -> None:
    with pytest.raises(DomainError, match="concurrency must be between 1 and 64"):
        Connection(name="box", kind=BackendKind.LOCAL, concurrency=concurrency)


@pytest.mark.parametrize("kind", REMOTE)
def test_aerender_and_concurrency_are_for_local_connections_only(kind: BackendKind) -> None:
    with pytest.raises(DomainError, match="--aerender applies only to local"):
        Connection(name="farm", kind=kind, url=_url_for(kind), aerender="/opt/ae/aerender")
    with pytest.raises(DomainError, match="--concurrency applies only to local"):
        Connection(name="farm", kind=kind, url=_url_for(kind), concurrency=2)


def test_local_connection_keeps_aerender_and_concurrency() -> None:
    conn = Connection(
        name="box", kind=BackendKind.LOCAL, aerender="/opt/ae/aerender", concurrency=4
    )
    assert (conn.aerender, conn.concurrency) == ("/opt/ae/aerender", 4)
    assert conn.effective_url is None


@pytest.mark.parametrize(
    ("kind", "default"),
    [
        (BackendKind.NEXRENDER_CLOUD, "https://api.nexrender.com/api/v2"),
        (BackendKind.RENDLEY, "https://api.rendley.com"),
    ],
)
def test_hosted_services_default_to_the_vendor_url(kind: BackendKind, default: str) -> None:
    assert Connection(name="svc", kind=kind).effective_url == default
    override = "https://eu.proxy.example.com/v2"
    assert Connection(name="svc", kind=kind, url=override).effective_url == override
