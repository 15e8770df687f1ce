"""The refusals the gateway adds to the kit's: upstream down or slow, too many requests, sign-in and assertions."""

from __future__ import annotations

from bianmin.kit.errors import Conflict, DomainError, NotFound, ServiceUnavailable, Unauthorized, Unprocessable


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


class SignInFailed(Unauthorized):
    """Wrong username or password: one answer for both, so the refusal never says whether the username exists."""

    code = "sign_in_failed"


class UnknownUsername(SignInFailed):
    """A sign-in for a username no account has: answered exactly as a wrong password, told apart only inside."""


class SecondFactorRequired(Unauthorized):
    """The account's roles need a TOTP code and none was sent (or none is enrolled yet)."""

    code = "second_factor_required"


class SecondFactorInvalid(Unauthorized):
    """The TOTP code sent is wrong or out of its time window."""

    code = "second_factor_invalid"


class AccountLocked(DomainError):
    """Too many consecutive failed sign-ins: the account refuses every sign-in until the lock ends."""

    status, code, title = 423, "account_locked", "Locked"


class SessionInvalid(Unauthorized):
    """An access or refresh token of a session that is unknown, expired or revoked."""

    code = "session_invalid"


class RefreshTokenReused(Unauthorized):
    """A refresh token was used a second time: someone holds a copy, so its session is revoked."""

    code = "refresh_token_reused"

    def __init__(self, detail: str, *, session_id: str) -> None:
        super().__init__(detail)
        self.session_id = session_id


class UnknownRole(Unprocessable):
    """A role not in the platform's role table."""

    code = "role_unknown"


class RoleNotForKind(Unprocessable):
    """A role held by the wrong kind of subject (an enterprise as clerk, a staff member as expert)."""

    code = "role_not_for_kind"


class UsernameTaken(Conflict):
    """Another account already has this username."""

    code = "username_taken"


class AccountNotFound(NotFound):
    """No account of that id that this admin may manage."""

    code = "account_not_found"


class AssertionRefused(Unauthorized):
    """A citizen assertion that is not good; each subclass names why, so an app can fix its signing."""

    code = "assertion_invalid"


class AssertionReplayed(AssertionRefused):
    """An assertion whose ``jti`` was already presented."""

    code = "assertion_replayed"


class AssertionExpired(AssertionRefused):
    """An assertion past its ``exp``."""

    code = "assertion_expired"


class AssertionNotYetValid(AssertionRefused):
    """An assertion issued in the future (``iat`` or ``nbf`` ahead of the gateway's clock)."""

    code = "assertion_not_yet_valid"


class AssertionTooLong(AssertionRefused):
    """An assertion meant to live more than five minutes: a leaked one would be good for too long."""

    code = "assertion_lifetime_too_long"


class AssertionWrongAudience(AssertionRefused):
    """An assertion addressed to someone other than this gateway."""

    code = "assertion_wrong_audience"


class AssertionUnknownIssuer(AssertionRefused):
    """An assertion whose ``iss`` is not the calling app's key."""

    code = "assertion_issuer_unknown"


class AssertionBadSignature(AssertionRefused):
    """An assertion not signed by the key registered for the calling app."""

    code = "assertion_signature_invalid"


class AppNotRegisteredForCitizens(AssertionRefused):
    """The calling API key has no registered assertion key: it may not act for citizens."""

    code = "app_not_registered_for_citizens"


class SubjectTokenInvalid(Unauthorized):
    """The user's access token an app sent as ``X-Bianmin-Subject-Token`` is expired, forged or revoked."""

    code = "subject_token_invalid"


class OidcTokenRefused(Unauthorized):
    """An ID token of an external issuer that is not good (issuer, signature, audience, expiry, claims)."""

    code = "oidc_token_invalid"
