"""The delivery log of pushes to the provincial platform."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class DeliveryRead(BaseModel):
    """One push to the provincial platform and its attempts."""

    id: int
    guarantee_number: str
    kind: str
    status: str
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    log: list[dict[str, Any]]
