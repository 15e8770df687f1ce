"""The framework ceiling: one trivial JSON route in the services' own stack.

Built with :func:`bianmin.kit.app.create_service_app` (the same middleware, error handlers,
identity check and metrics as every service) and served as every service is, by
``bianmin.kit.serving.serve``; events are off and the route touches no database. ``python -m bench.trivial``
serves it on ``BENCH_TRIVIAL_PORT``.
"""

from __future__ import annotations

import os

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.serving import serve
from bianmin.kit.settings import ServiceSettings


class Pong(BaseModel):
    """The trivial answer."""

    ok: bool
    service: str


router = APIRouter()


@router.get("/ping", summary="Answer at once")
async def ping() -> Pong:
    """A constant answer: the cost of the stack alone."""
    return Pong(ok=True, service="trivial")


def create_app(settings: ServiceSettings) -> FastAPI:
    """The trivial service."""
    spec = ServiceSpec(name="trivial", title="Bench trivial", description="The framework ceiling.", routers=[router])
    return create_service_app(spec, settings)


def main() -> None:
    """Serve the trivial app as the services are served."""
    port = int(os.environ["BENCH_TRIVIAL_PORT"])
    settings = ServiceSettings(service_name="trivial", port=port, events_enabled=False,
                               database_url=f"sqlite+aiosqlite:///{os.environ['BENCH_TRIVIAL_DB']}")
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
