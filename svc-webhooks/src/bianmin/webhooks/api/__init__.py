"""The webhooks service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.webhooks.api import deliveries, endpoints

ROUTERS: list[APIRouter] = [endpoints.router, deliveries.router]
