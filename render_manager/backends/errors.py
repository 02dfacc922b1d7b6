"""What can go wrong talking to a render API, each with a message a user can act on."""

from __future__ import annotations


class BackendError(Exception):
    """A request to a back-end failed; `str()` is the user-facing reason."""


class TokenRejected(BackendError):
    """401: the API token is wrong, expired or revoked."""

    def __init__(self, connection: str) -> None:
        #: What went wrong without where to fix it, for a front end that says that itself
        #: (the Connections dialog, where "update it in Connections" would point at itself).
        self.reason = f"{connection}: token rejected"
        # S608 mistakes this sentence ("update … set") for SQL.
        super().__init__(
            f"{connection}: token rejected — update it in Connections "  # noqa: S608
            f"(renderctl connection set {connection} --token-stdin)"
        )


class NoCredits(BackendError):
    """402: the account has no credits (or no payment method) left."""


class NotAllowed(BackendError):
    """403: the plan or the token's permissions do not allow this."""


class JobGone(BackendError):
    """404: the job (or batch) does not exist on the back-end any more."""


class BadRequest(BackendError):
    """400/422: the back-end refused the request; the message is the server's own."""


class Unavailable(BackendError):
    """The back-end could not be reached or kept failing (timeouts, resets, 5xx, 429)."""


class BadResponse(BackendError):
    """The back-end answered something that is not what its documentation says."""


class OutcomeUnknown(BackendError):
    """A create request whose effect is unknown: the job may exist. Never resend it blindly;
    look it up first (or let the user check)."""


class LostCreateAnswer(Unavailable, OutcomeUnknown):
    """The back-end stopped answering after a create request, and could not be asked since."""


class UnconfirmedCreate(BadResponse, OutcomeUnknown):
    """The back-end took a create request but its answer cannot confirm which job it made."""
