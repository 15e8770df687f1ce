"""``bianmin-queue``: serve, migrate, or print the OpenAPI document."""

from bianmin.kit.cli import service_main
from bianmin.queue.app import create_app
from bianmin.queue.settings import QueueSettings


def main() -> None:
    """Run the command line."""
    service_main("queue", QueueSettings, create_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
