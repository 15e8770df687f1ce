"""Dependencies the bidding routers share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bianmin.bidding.settings import BiddingSettings


async def get_settings(request: Request) -> BiddingSettings:
    """The service's settings (``async``: FastAPI runs a plain ``def`` dependency in its thread pool)."""
    return request.app.state.settings


SettingsDep = Annotated[BiddingSettings, Depends(get_settings)]
WRITE = "bidding:write"
BID = "bidding:bid"
SUPERVISE = "bidding:supervise"
ESCROW = "bidding:escrow"
