"""Each service's rules by kind, for what is decided before any connection is opened
(checking a body in the preview, planning a cancel). Loads no HTTP library."""

from __future__ import annotations

from render_manager.backends import nexrender_cloud_rules, nexrender_server_rules, rendley_rules
from render_manager.backends.protocol import ServiceRules
from render_manager.domain.status import BackendKind

_RULES = {
    BackendKind.NEXRENDER_CLOUD: nexrender_cloud_rules.RULES,
    BackendKind.RENDLEY: rendley_rules.RULES,
    BackendKind.NEXRENDER_SERVER: nexrender_server_rules.RULES,
}


def rules_for(kind: BackendKind) -> ServiceRules | None:
    """The rules of a remote service; None for the local engine, which has its own checks."""
    return _RULES.get(kind)
