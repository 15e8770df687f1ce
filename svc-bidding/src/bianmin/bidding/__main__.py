"""``bianmin-bidding``: serve, migrate, or print the OpenAPI document."""

from bianmin.bidding.app import create_app
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.cli import service_main


def main() -> None:
    """Run the command line."""
    service_main("bidding", BiddingSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
