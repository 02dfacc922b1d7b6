"""Each capability protocol is implemented by exactly the back-ends whose service has it,
and each back-end's rules agree with its abilities."""

from __future__ import annotations

from pathlib import Path

import pytest

from render_manager.backends.base import HttpBackend
from render_manager.backends.factory import make_backend, offers
from render_manager.backends.local_home import LocalHome
from render_manager.backends.nexrender_cloud import NexrenderCloudBackend
from render_manager.backends.nexrender_server import NexrenderServerBackend
from render_manager.backends.protocol import (
    CancelsBatches,
    FindsByKey,
    HasTemplates,
    ListsTeamJobs,
    Prices,
    RefreshesLinks,
)
from render_manager.backends.rendley import RendleyBackend
from render_manager.backends.rules import rules_for
from render_manager.domain.connection import Connection
from render_manager.domain.status import BackendKind
from render_manager.store import open_store
from render_manager.store.jobs import JobRepository
from render_manager.store.local_jobs import LocalJobRepository

CLOUD, RENDLEY, SERVER = NexrenderCloudBackend, RendleyBackend, NexrenderServerBackend

# What each service can do, from its documentation (seeds/, render-apis.md).
EXPECTED: dict[type, set[type[HttpBackend]]] = {
    # A row tag on Nexrender Cloud, the job uid on a nexrender server; Rendley keeps no key.
    FindsByKey: {CLOUD, SERVER},
    # POST /batches/{id}/cancel.
    CancelsBatches: {CLOUD},
    # GET /templates.
    HasTemplates: {CLOUD},
    # POST /v1/export/cost.
    Prices: {RENDLEY},
    # Rendley's storage links are signed for a while.
    RefreshesLinks: {RENDLEY},
    # GET /jobs?from_date=… lists the whole account's jobs.
    ListsTeamJobs: {CLOUD},
}

CONNECTIONS = {
    BackendKind.NEXRENDER_CLOUD: Connection(name="cloud", kind=BackendKind.NEXRENDER_CLOUD),
    BackendKind.RENDLEY: Connection(name="rendley", kind=BackendKind.RENDLEY),
    BackendKind.NEXRENDER_SERVER: Connection(
        name="farm", kind=BackendKind.NEXRENDER_SERVER, url="http://127.0.0.1:3050"
    ),
}


@pytest.mark.parametrize("capability", list(EXPECTED), ids=lambda c: c.__name__)
def test_each_capability_belongs_to_exactly_the_back_ends_that_have_it(capability: type) -> None:
    having = {cls for cls in (CLOUD, RENDLEY, SERVER) if issubclass(cls, capability)}
    assert having == EXPECTED[capability]


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", list(CONNECTIONS), ids=lambda k: k.value)
async def test_the_factory_makes_a_back_end_whose_abilities_and_rules_agree(
    kind: BackendKind,
) -> None:
    backend = make_backend(CONNECTIONS[kind], "token")
    try:
        assert backend.kind is kind
        assert isinstance(backend, HttpBackend)
        abilities = {c for c, owners in EXPECTED.items() if type(backend) in owners}
        assert {c for c in EXPECTED if isinstance(backend, c)} == abilities
        rules = rules_for(kind)
        assert rules is not None
        assert backend.rules is rules
        # A body carries a key exactly where a job can be found by it again.
        _, key = rules.stamp({"name": "row"}, "rm-bcheck-0")
        assert (key is not None) is (FindsByKey in abilities)
        # Links are read afresh before use exactly where the back-end can sign them anew.
        assert rules.links_expire is (RefreshesLinks in abilities)
    finally:
        await backend.aclose()


def test_the_local_engine_is_a_back_end_with_its_own_rules_and_no_remote_ability(
    tmp_path: Path,
) -> None:
    rules = rules_for(BackendKind.LOCAL)
    # Queued whole or not at all, into this home's store, its files checked on this computer.
    assert rules.all_or_nothing
    assert rules.stores_jobs
    assert rules.check_files is not None
    assert not rules.links_expire
    assert not rules.cancel_cascades
    # Its running renders are stopped part-way; a remote service's are not ours to kill.
    assert rules.stops_running
    assert not any(rules_for(k).stops_running for k in BackendKind if k is not BackendKind.LOCAL)
    local = Connection(name="local", kind=BackendKind.LOCAL)
    with pytest.raises(ValueError, match="local engine"):
        make_backend(local, None)
    db = open_store(tmp_path)
    try:
        home = LocalHome(JobRepository(db), LocalJobRepository(db), tmp_path)
        backend = make_backend(local, None, local=home)
        assert backend.kind is BackendKind.LOCAL
        assert not [c.__name__ for c in EXPECTED if isinstance(backend, c)]
    finally:
        db.close()


def test_every_remote_kind_has_rules_and_a_back_end() -> None:
    remote = [k for k in BackendKind if k is not BackendKind.LOCAL]
    assert set(remote) == set(CONNECTIONS)
    assert all(rules_for(k) is not None for k in remote)


@pytest.mark.parametrize("capability", list(EXPECTED), ids=lambda c: c.__name__)
def test_what_a_front_end_offers_per_kind_is_what_its_back_end_can_do(capability: type) -> None:
    classes = {
        BackendKind.NEXRENDER_CLOUD: CLOUD,
        BackendKind.RENDLEY: RENDLEY,
        BackendKind.NEXRENDER_SERVER: SERVER,
    }
    offered = {kind for kind in BackendKind if offers(kind, capability)}
    assert offered == {kind for kind, cls in classes.items() if cls in EXPECTED[capability]}
    assert not offers(BackendKind.LOCAL, capability)
