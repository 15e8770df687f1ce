"""Published OCDS releases, frozen when their event happens (``domain/ocds.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class OcdsRelease(Base):
    """One OCDS release as published at ``at``: written once, never updated.

    ``data`` holds the release without ``ocid`` and ``id``; both are stamped on when it is served, from
    the publisher's registered ocid prefix, the project code and this row's id.
    """

    __tablename__ = "ocds_release"
    __table_args__ = (Index("ix_ocds_release_project_id_id", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
