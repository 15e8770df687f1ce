"""``bianmin-catalog``: serve, migrate, or print the OpenAPI document."""

from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.cli import service_main


def main() -> None:
    """Run the command line."""
    service_main("catalog", CatalogSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
