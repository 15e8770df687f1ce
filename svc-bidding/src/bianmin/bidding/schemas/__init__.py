"""Request and response models of the bidding service's API."""

from bianmin.bidding.schemas.bids import *  # noqa: F403
from bianmin.bidding.schemas.projects import *  # noqa: F403
from bianmin.bidding.schemas.supervision import *  # noqa: F403
