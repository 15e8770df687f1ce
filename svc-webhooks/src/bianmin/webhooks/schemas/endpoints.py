"""Endpoints as clients register, change and read them, and the secret shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bianmin.kit.schemas import RequestBody, SiteCode

EndpointStatus = Literal["active", "failing", "disabled"]
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Project codes are each trading centre's own numbering (``BM-2026-001``); the kit has no type for them.
ProjectCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]


class EndpointCreate(RequestBody):
    """A new endpoint: where to send, which events, and optional narrowing filters."""

    url: str = Field(max_length=2000, description="HTTPS URL to a public address; private or loopback ones, and "
                     "plain HTTP, only within ranges the operator allowed (`BIANMIN_WEBHOOKS_ALLOWED_NETWORKS`).")
    event_types: list[Pattern] = Field(
        min_length=1, max_length=50,
        description="Subject patterns: `bidding.project.awarded`, `bidding.project.*`, `*.ticket.called`, `bidding.>`, `>`.")
    site_codes: list[SiteCode] = Field(default_factory=list, max_length=100,
                                       description="Only events of these sites (payload `site_code`, else the envelope `tenant`).")
    project_codes: list[ProjectCode] = Field(
        default_factory=list, max_length=100,
        description="Only events of these projects (payload `project_code`, else the envelope `subject`).")
    district_events: bool = Field(False, description="A township endpoint also receives district-wide (`*`) events.")
    description: str = Field("", max_length=500)


class EndpointUpdate(RequestBody):
    """A change to an endpoint; absent fields stay. ``enabled`` pauses it or enables it again."""

    url: str | None = Field(None, max_length=2000)
    event_types: list[Pattern] | None = Field(None, min_length=1, max_length=50)
    site_codes: list[SiteCode] | None = Field(None, max_length=100)
    project_codes: list[ProjectCode] | None = Field(None, max_length=100)
    district_events: bool | None = None
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> EndpointUpdate:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in ("url", "event_types", "site_codes", "project_codes", "district_events", "description", "enabled"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self


class EndpointRead(BaseModel):
    """An endpoint as its owner sees it; the secret is never part of it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tenant: str
    url: str
    description: str
    event_types: list[str]
    site_codes: list[str]
    project_codes: list[str]
    district_events: bool
    status: EndpointStatus
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    owner_key_id: str | None = Field(
        description="The key whose authority the endpoint receives events with: the last to register or change it. "
        "Null for an endpoint saved before owners were recorded: it receives nothing until it is saved again (PATCH).")
    owner_scopes: list[str] | None = Field(description="That key's scopes when it saved the endpoint.")
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    """The answer of a create: the endpoint and its secret, shown this once."""

    secret: str | None = Field(description="`whsec_<base64>`; shown once. Null on an Idempotency-Key replay: rotate it if lost.")


class SecretRead(BaseModel):
    """A new secret, shown once. Until ``previous_valid_until`` each attempt carries a signature with each secret."""

    endpoint_id: int
    secret: str
    previous_valid_until: datetime | None
