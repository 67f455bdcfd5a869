"""Request bodies of the control API, validated by pydantic (FastAPI answers 422 with the reasons)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from .config import resolve_plan
from .metafield_types import METAFIELD_TYPES, check_validation_rules


class ResetBody(BaseModel):
    """Optional body of POST /reset."""

    seed: int | None = None


class PlanBody(BaseModel):
    """A plan preset, or custom limits."""

    plan: str | None = None
    restore_rate: float | None = Field(default=None, gt=0)
    bucket_size: float | None = Field(default=None, gt=0)
    max_query_cost: int | None = Field(default=None, gt=0)
    throttle_http_status: Literal[200, 429] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PlanBody:
        custom = (self.restore_rate, self.bucket_size, self.max_query_cost)
        if self.plan is not None and any(v is not None for v in custom):
            raise ValueError("give either `plan` or restore_rate/bucket_size/max_query_cost, not both")
        if self.plan is None and any(v is None for v in custom):
            raise ValueError("give `plan` (a preset) or all of restore_rate, bucket_size, max_query_cost")
        if self.plan is not None:
            resolve_plan(self.plan)
        return self


class BucketBody(BaseModel):
    """Level to set a token's bucket to."""

    token: str | None = None
    currently_available: float = Field(ge=0)


class LocationBody(BaseModel):
    """One location of PUT /locations."""

    id: int | None = Field(default=None, ge=1)
    name: str = Field(min_length=1)
    is_active: bool = True
    fulfills_online_orders: bool = True


class LocationsBody(BaseModel):
    """PUT /locations wrapped in an object."""

    locations: list[LocationBody]


class ValidationBody(BaseModel):
    """One definition validation (choices, min, max, regex)."""

    name: str
    value: str


class DefinitionBody(BaseModel):
    """One metafield definition to pre-seed."""

    namespace: str = Field(min_length=1)
    key: str = Field(min_length=1)
    type: str
    owner_type: Literal["PRODUCT", "PRODUCTVARIANT"] = "PRODUCT"
    name: str | None = None
    unique_values: bool = False
    validations: list[ValidationBody] = []

    @model_validator(mode="after")
    def _known_type(self) -> DefinitionBody:
        if self.type not in METAFIELD_TYPES:
            raise ValueError(f"unknown metafield type {self.type!r}")
        problem = check_validation_rules(self.type, [v.model_dump() for v in self.validations])
        if problem:
            raise ValueError(problem)
        return self


class DefinitionsBody(BaseModel):
    """PUT /metafield-definitions wrapped in an object."""

    definitions: list[DefinitionBody]


class VariantThrottleBody(BaseModel):
    """Daily variant creation limit settings."""

    threshold: int | None = Field(default=None, ge=0)
    per_day: int | None = Field(default=None, ge=0)
    store_variant_offset: int | None = Field(default=None, ge=0)


class ClockBody(BaseModel):
    """How far to move the virtual clock."""

    seconds: float = Field(ge=0)


class ClockSetBody(BaseModel):
    """The instant the virtual clock shows now (with its UTC offset)."""

    now: AwareDatetime


class SettingsBody(BaseModel):
    """Runtime settings: file fetching, search lag, THROTTLED HTTP status."""

    fetch_files: bool | None = None
    search_lag_s: float | None = Field(default=None, ge=0)
    throttle_http_status: Literal[200, 429] | None = None
