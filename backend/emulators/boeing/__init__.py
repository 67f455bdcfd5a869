"""Boeing Part Price & Availability API emulator: a local FastAPI stand-in plus a control API."""

from .app import create_app
from .config import EmulatorConfig, config_from_env

__all__ = ["EmulatorConfig", "config_from_env", "create_app"]
