"""Errors as RFC 9457 ``application/problem+json`` with a stable machine ``code``.

The domain raises :class:`DomainError` subclasses; one handler turns each into a problem document
with its status and code. Validation errors name every field path and reason. Nothing a client
sends may produce a 500: an unexpected exception still answers problem+json, and is logged.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bianmin.kit.storage import storage_full

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("bianmin.errors")


class FieldProblem(BaseModel):
    """One invalid input: where it is and why it was refused."""

    field: str
    reason: str


class Problem(BaseModel):
    """The RFC 9457 problem document every error answers with."""

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class DomainError(Exception):
    """A refusal the domain can explain; subclasses fix the status and the stable code."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, *, code: str | None = None,
                 errors: list[FieldProblem] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors = errors
        self.headers = headers or {}


class Unauthorized(DomainError):
    """No or invalid credentials."""

    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    """Authenticated, but not allowed to do this here."""

    status, code, title = 403, "forbidden", "Forbidden"


class ScopeMissing(Forbidden):
    """The key lacks a scope the route declares."""

    code = "scope_missing"


class TenantMismatch(Forbidden):
    """The key may not act on another site's resources."""

    code = "tenant_mismatch"


class DistrictOnly(Forbidden):
    """Only a district-wide key may change what the whole district shares."""

    code = "district_only"


class SubjectNotAllowed(Forbidden):
    """This kind of caller may not call the route."""

    code = "subject_not_allowed"


class RoleMissing(Forbidden):
    """The subject lacks every role the route admits."""

    code = "role_missing"


class SecondFactorRequired(Forbidden):
    """The route needs a sign-in with a second factor."""

    code = "second_factor_required"


# The refusals of the rules that depend on who acts, one spelling platform-wide (services raise these,
# or subclasses naming their case).


class SeparationOfDuties(Forbidden):
    """Whoever submitted, filed or recorded something may not confirm or approve it.

    政务服务 受审分离 (applications, policy redemptions), 招标投标法实施条例 (direct-contract filings), and
    the credit rules' review (复核) by someone other than the recorder.
    """

    code = "separation_of_duties"


class NotTheHolder(Forbidden):
    """Only the one who holds a thing (took the ticket, booked, applied) acts on it as its holder.

    国办发〔2019〕51号: the rating comes from the enterprise or citizen served, never from staff or a
    key acting for them.
    """

    code = "not_the_holder"


class DecidedAboveSite(Forbidden):
    """An appeal against a site's rating is decided above that site, never by the site itself (国办发〔2019〕51号, 申诉复核)."""

    code = "decided_above_site"


class NotFound(DomainError):
    """The resource does not exist (or is not visible to this principal)."""

    status, code, title = 404, "not_found", "Not found"


class Conflict(DomainError):
    """The current state forbids this change."""

    status, code, title = 409, "conflict", "Conflict with the current state"


class TransitionForbidden(Conflict):
    """The resource's current state does not allow this step (a ticket already called, a tender closed).

    One code for every service: a client handles "not in this state" once, and the detail names the
    state and the step.
    """

    code = "transition_forbidden"


class Unprocessable(DomainError):
    """Well-formed input that breaks a rule."""

    status, code, title = 422, "unprocessable", "Unprocessable input"

    @classmethod
    def field(cls, field: str, reason: str, *, code: str | None = None) -> Unprocessable:
        """A 422 naming one field and why it is wrong: ``invalid_field``, or a named subclass's own code."""
        own = cls.code if cls.code != Unprocessable.code else "invalid_field"
        return cls(f"{field}: {reason}", code=code or own, errors=[FieldProblem(field=field, reason=reason)])


class ServiceUnavailable(DomainError):
    """A dependency needed to answer is down."""

    status, code, title = 503, "service_unavailable", "Service unavailable"


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """Serialise a problem document with the right media type."""
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=problem.status,
                        media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")] or [str(loc[0])]
    return ".".join(parts)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        Problem(title=exc.title, status=exc.status, code=exc.code, detail=exc.detail,
                instance=request.url.path, errors=exc.errors),
        headers=exc.headers,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldProblem(field=_field_path(tuple(e.get("loc", ("body",)))), reason=e.get("msg", "invalid"))
              for e in exc.errors()]
    detail = "; ".join(f"{e.field}: {e.reason}" for e in errors[:5])
    return problem_response(Problem(title="Invalid request", status=422, code="validation_failed",
                                    detail=detail, instance=request.url.path, errors=errors))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized",
            403: "forbidden"}.get(exc.status_code, status.phrase.lower().replace(" ", "_"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != status.phrase else None
    return problem_response(Problem(title=status.phrase, status=exc.status_code, code=code,
                                    detail=detail, instance=request.url.path),
                            headers=getattr(exc, "headers", None))


_UNAVAILABLE_MARKERS = ("database is locked", "database is busy", "connection refused", "connection was closed",
                        "connection is closed", "terminating connection", "could not connect",
                        "the database system is")  # ... shutting down / starting up / in recovery mode
# SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def database_unavailable(exc: BaseException) -> bool:
    """Whether a database error means "busy or unreachable, retry" rather than a bug in a statement.

    A PostgreSQL restart shows up as several kinds: a refused connection (a bare ``OSError`` from the
    driver, not wrapped by SQLAlchemy), "the database system is shutting down" or "starting up"
    (SQLSTATE 57P03), and connections cut mid-statement (invalidated by SQLAlchemy).
    """
    if isinstance(exc, ConnectionError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")
    if sqlstate.startswith(_UNAVAILABLE_SQLSTATES):
        return True
    message = str(exc).lower()
    return isinstance(exc, InterfaceError) or any(marker in message for marker in _UNAVAILABLE_MARKERS)


# A full disk is cleared by an operator, not in a second: clients need not come back sooner.
STORAGE_FULL_RETRY_AFTER_SECONDS = 30


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database that is busy (SQLite's write lock), unreachable or full is a 503 to retry, not a 500."""
    if storage_full(exc):
        storage = getattr(getattr(request.app.state, "db", None), "storage", None)
        if storage is not None:
            storage.note(exc)  # the engine's hook saw it already, unless it never reached an engine
        return problem_response(Problem(title="Service unavailable", status=503, code="storage_full",
                                        detail="The database has no room for this write; retry later.",
                                        instance=request.url.path),
                                headers={"Retry-After": str(STORAGE_FULL_RETRY_AFTER_SECONDS)})
    if not database_unavailable(exc):
        return await _unexpected(request, exc)
    log.warning("database unavailable", extra={"error": repr(exc)[:300]})
    return problem_response(Problem(title="Service unavailable", status=503, code="database_unavailable",
                                    detail="The database is busy or unreachable; retry shortly.",
                                    instance=request.url.path), headers={"Retry-After": "1"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(Problem(title="Internal error", status=500, code="internal_error",
                                    detail="The error was logged with this request's id.",
                                    instance=request.url.path))


def install_error_handlers(app: FastAPI) -> None:
    """Map every error an app can raise onto problem+json, and say so in its OpenAPI document."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    # The driver's own refusal to connect (PostgreSQL down) arrives unwrapped.
    app.add_exception_handler(ConnectionError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
    document_problems_in(app)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry of a route that can answer these problem statuses."""
    return {status: {"model": Problem, "content": {PROBLEM_JSON: {}},
                     "description": HTTPStatus(status).phrase} for status in statuses}


PROBLEM_REF = "#/components/schemas/Problem"
# FastAPI's own description of its validation error, which the kit never sends.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _is_error_status(status: str) -> bool:
    return status == "default" or (len(status) == 3 and status[0] in "45")


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI document so every 4xx/5xx answer is documented as what the handlers send.

    FastAPI documents its 422 as ``application/json`` with ``HTTPValidationError``, and a
    ``responses=`` model as ``application/json``; clients would then validate rejections against a
    schema they never receive. Each error response becomes ``application/problem+json`` with the
    :class:`Problem` schema (a more specific problem+json schema a route declared is kept), other
    media types (a page, a stream) are left alone, and FastAPI's unused validation schemas are dropped.
    An operation that takes a body also lists the 400 of a body that cannot be parsed.
    Idempotent, so it may run on a document that was already rewritten.
    """
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for path_item in (document.get("paths") or {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            if "requestBody" in operation:
                # A body that is not even text in its declared encoding never reaches validation:
                # FastAPI refuses it with 400 "There was an error parsing the body".
                operation.setdefault("responses", {}).setdefault("400", {"description": "Bad Request"})
            for status, response in (operation.get("responses") or {}).items():
                if not _is_error_status(str(status)) or "$ref" in response:
                    continue
                content = {media: body for media, body in (response.get("content") or {}).items()
                           if media not in ("application/json", PROBLEM_JSON)}
                declared = ((response.get("content") or {}).get(PROBLEM_JSON) or {}).get("schema")
                content[PROBLEM_JSON] = {"schema": declared or {"$ref": PROBLEM_REF}}
                response["content"] = content
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault("Problem", problem)
    return document


def document_problems_in(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the document rewritten by :func:`document_problems` (built once, cached by FastAPI)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            return document_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
