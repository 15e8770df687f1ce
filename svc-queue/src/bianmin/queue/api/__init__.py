"""The queue service's routers, one module per resource; ``ROUTERS`` is mounted under ``/v1``."""

from fastapi import APIRouter

from bianmin.queue.api import appointments, boards, evaluations, halls, imports, tickets

ROUTERS: list[APIRouter] = [halls.router, tickets.router, appointments.router, evaluations.router, boards.router,
                             imports.router]
