"""``bianmin-credit``: serve, migrate, or print the OpenAPI document."""

from bianmin.credit.app import create_app
from bianmin.credit.settings import CreditSettings
from bianmin.kit.cli import service_main


def main() -> None:
    """Run the command line."""
    service_main("credit", CreditSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
