"""Pricing and catalogue defaults (``catalog-constants.md`` § Pricing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

PRICE_MARKUP_FACTOR: Final = Decimal("1.10")
"""Shop price = base cost (Boeing list price, else net price) times this factor, rounded half-up to cents."""

DEFAULT_CURRENCY: Final = "USD"
"""Currency assumed when Boeing's response carries none (``currency`` missing, ``null`` or empty)."""

DEFAULT_CONDITION: Final = "NE"
"""Condition code of every part we sell (store choice value: new)."""

DEFAULT_CERTIFICATE: Final = "FAA 8130-3"
"""Certificate used when no certificate keyword is recognised (store choice value)."""

FALLBACK_IMAGE_FILENAME: Final = "placeholder.png"
"""File name of the bundled placeholder image, uploaded to the object store and used when Boeing's image is
missing or is not an image."""

FALLBACK_IMAGE_PACKAGE: Final = "app.core"
"""Package holding the placeholder; read it with
``importlib.resources.files(FALLBACK_IMAGE_PACKAGE) / FALLBACK_IMAGE_RESOURCE``."""

FALLBACK_IMAGE_RESOURCE: Final = f"assets/{FALLBACK_IMAGE_FILENAME}"
"""Path of the placeholder inside ``FALLBACK_IMAGE_PACKAGE``."""

FALLBACK_IMAGE_CONTENT_TYPE: Final = "image/png"
"""Content type of the placeholder image."""
