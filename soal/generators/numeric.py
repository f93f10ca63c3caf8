"""The numeric TIU families (aspect `numerik`). Number series live in `series.py`; importing this
module registers all of them."""

from __future__ import annotations

from . import series  # noqa: F401  (registers the deret-* families)
