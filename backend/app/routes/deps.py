"""FastAPI dependencies that hand a route its service from the container in ``app.state``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.container import Container
from app.services.auth_service import AuthService
from app.services.health_service import HealthService


def get_container(request: Request) -> Container:
    return request.app.state.container


def _service(request: Request, name: str) -> Any:
    return getattr(get_container(request), name)


def get_health_service(request: Request) -> HealthService:
    return _service(request, "health_service")


def get_auth_service(request: Request) -> AuthService:
    return _service(request, "auth_service")
