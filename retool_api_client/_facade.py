"""Small runtime helpers the generated facade (``generated/api/<tag>/__init__.py``) calls.

Kept out of the templates so the generated code stays readable and the logic is tested once.
"""

from __future__ import annotations

from typing import Any

from ._pagination import PaginationError
from .generated.types import Unset


def no_next_page(operation: str) -> PaginationError:
    """The server said ``has_more`` with a cursor, but this operation takes no ``next_token``."""
    return PaginationError(
        f"{operation} answered has_more with a next_token, but the operation takes no next_token "
        "parameter, so the next page cannot be requested; the items so far were all yielded"
    )


def unwrap_data(envelope: Any) -> Any:
    """``envelope.data`` when the success body is Retool's envelope, else the body itself."""
    data = getattr(envelope, "data", None)
    return envelope if data is None or isinstance(data, Unset) else data
