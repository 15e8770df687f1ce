"""Request and response models of the bidding service's API, one module per resource, re-exported here.

Requests derive from the kit's ``RequestBody`` and use its identifier types; answers are ``<Thing>Read``.
"""

from bianmin.bidding.schemas.archive import *  # noqa: F403
from bianmin.bidding.schemas.auction import *  # noqa: F403
from bianmin.bidding.schemas.bids import *  # noqa: F403
from bianmin.bidding.schemas.complaints import *  # noqa: F403
from bianmin.bidding.schemas.escrow import *  # noqa: F403
from bianmin.bidding.schemas.evaluation import *  # noqa: F403
from bianmin.bidding.schemas.experts import *  # noqa: F403
from bianmin.bidding.schemas.filings import *  # noqa: F403
from bianmin.bidding.schemas.opening import *  # noqa: F403
from bianmin.bidding.schemas.projects import *  # noqa: F403
from bianmin.bidding.schemas.supervision import *  # noqa: F403
