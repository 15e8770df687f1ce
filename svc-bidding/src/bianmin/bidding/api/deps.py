"""Dependencies the bidding routers share: the settings, and the scopes the routes declare."""

from __future__ import annotations

from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.settings import settings_dependency

SettingsDep = settings_dependency(BiddingSettings)
WRITE = "bidding:write"
BID = "bidding:bid"
SUPERVISE = "bidding:supervise"
ESCROW = "bidding:escrow"
