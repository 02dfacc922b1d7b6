"""Each service's rules by kind, for what is decided before any connection is opened
(checking a body in the preview, planning a cancel). Loads no HTTP library, nor the engine."""

from __future__ import annotations

from render_manager.backends import (
    local_rules,
    nexrender_cloud_rules,
    nexrender_server_rules,
    rendley_rules,
)
from render_manager.backends.protocol import ServiceRules
from render_manager.domain.status import BackendKind

_RULES = {
    BackendKind.LOCAL: local_rules.RULES,
    BackendKind.NEXRENDER_CLOUD: nexrender_cloud_rules.RULES,
    BackendKind.RENDLEY: rendley_rules.RULES,
    BackendKind.NEXRENDER_SERVER: nexrender_server_rules.RULES,
}


def rules_for(kind: BackendKind) -> ServiceRules:
    """The rules of a service, the local engine's included."""
    return _RULES[kind]
