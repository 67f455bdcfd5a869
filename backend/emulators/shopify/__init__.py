"""Shopify Admin GraphQL API emulator: `create_app(EmulatorConfig(...))` or `python -m emulators.shopify`."""

from .app import create_app
from .config import EmulatorConfig, config_from_env

__all__ = ["EmulatorConfig", "config_from_env", "create_app"]
