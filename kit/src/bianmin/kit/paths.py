"""Path parameters every service shares.

Rows are numbered by the database (32-bit integer keys on both SQLite and PostgreSQL), so an id
outside 1..2³¹−1 can name no row: bounding it in the path answers 422 at once instead of letting
an oversized integer reach the driver, where PostgreSQL would fail with an overflow (a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="A row id (32-bit).")]
