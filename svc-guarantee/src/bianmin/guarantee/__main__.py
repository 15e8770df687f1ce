"""``bianmin-guarantee``: serve, migrate, or print the OpenAPI document."""

from bianmin.guarantee.app import create_app
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.cli import service_main


def main() -> None:
    """Run the command line."""
    service_main("guarantee", GuaranteeSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
