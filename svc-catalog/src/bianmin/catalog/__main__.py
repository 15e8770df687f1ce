"""``bianmin-catalog``: serve, migrate, print the OpenAPI document, or load a year's calendar (``calendar load``)."""

from bianmin.catalog.app import create_app
from bianmin.catalog.cli import add_commands
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.cli import service_main


def main(argv: list[str] | None = None) -> None:
    """Run the command line."""
    service_main("catalog", CatalogSettings, create_app, argv, extend=add_commands)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
