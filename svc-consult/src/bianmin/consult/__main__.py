"""``bianmin-consult``: serve, migrate, or print the OpenAPI document."""

from bianmin.consult.app import create_app
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.cli import service_main


def main() -> None:
    """Run the command line."""
    service_main("consult", ConsultSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
