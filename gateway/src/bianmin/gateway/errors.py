"""The refusals the gateway adds to the kit's: upstream down or slow, and too many requests."""

from __future__ import annotations

from bianmin.kit.errors import DomainError, ServiceUnavailable


class UpstreamUnavailable(ServiceUnavailable):
    """The service behind this route cannot be reached (or its circuit is open)."""

    code = "upstream_unavailable"


class GatewayTimeout(DomainError):
    """The service behind this route did not answer in time."""

    status, code, title = 504, "upstream_timeout", "Gateway timeout"


class TooManyRequests(DomainError):
    """The caller passed its rate limit."""

    status, code, title = 429, "rate_limited", "Too many requests"


class OAuthError(DomainError):
    """A token-endpoint refusal, answered as problem+json that also carries RFC 6749's ``error`` fields."""

    def __init__(self, error: str, description: str, *, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(description, code=error, headers=headers)
        self.status = status
        self.title = "Unauthorized" if status == 401 else "Bad request"
