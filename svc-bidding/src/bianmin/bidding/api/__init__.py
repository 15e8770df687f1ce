"""The bidding service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
