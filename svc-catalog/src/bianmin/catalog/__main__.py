"""``bianmin-catalog``: serve, migrate, print the OpenAPI document, import a file of sites, or load a year's calendar."""

from bianmin.catalog.app import create_app
from bianmin.catalog.cli import COMMANDS
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.cli import service_main


def main(argv: list[str] | None = None) -> None:
    """Run the command line."""
    service_main("catalog", CatalogSettings, create_app, argv, COMMANDS)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
