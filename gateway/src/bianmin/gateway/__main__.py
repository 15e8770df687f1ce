"""``bianmin-gateway``: serve, migrate, print the OpenAPI document, manage API keys and OAuth2 clients."""

import sys

from bianmin.gateway.cli import main as run


def main() -> None:
    """Run the command line and exit with its status."""
    sys.exit(run())


if __name__ == "__main__":
    main()
