"""``bianmin-webhooks``: serve, migrate, or print the OpenAPI document."""

from bianmin.kit.cli import service_main
from bianmin.webhooks.app import create_app
from bianmin.webhooks.settings import WebhooksSettings


def main() -> None:
    """Run the command line."""
    service_main("webhooks", WebhooksSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
