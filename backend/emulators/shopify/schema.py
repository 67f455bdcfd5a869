"""Executable schema per API version: SDL + scalars + resolvers."""

from __future__ import annotations

from graphql import GraphQLSchema, build_schema

from .resolvers import install_resolvers
from .scalars import install_scalars
from .sdl import build_sdl


def build_version_schema(version: str) -> GraphQLSchema:
    """Build the schema served under one API version."""
    schema = build_schema(build_sdl(version))
    install_scalars(schema)
    install_resolvers(schema)
    return schema
