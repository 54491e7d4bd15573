"""``UNSET``, the default of every optional argument and field that was not given; and
``Response``, what ``with_raw_response`` methods return.

Distinct from ``None``, which Retool reads as an explicit null (``first_name=None`` clears a
name; leaving it ``UNSET`` leaves it alone). Defined here, in the core; exported as
``retool_api_client.UNSET`` (and ``Unset``, for ``isinstance``), and by the generated package
as ``retool_api_client.generated.types.UNSET``.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final, Generic, Literal, TypeVar

from attrs import define


class Unset:
    """The type of :data:`UNSET`; falsy, one instance, shown as ``UNSET``."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> Any:
        return (Unset, ())


UNSET: Final[Unset] = Unset()

T = TypeVar("T")


@define
class Response(Generic[T]):
    """A whole answer: status, headers, body, and the documented success body parsed (None
    only when that is no body). Re-exported as ``retool_api_client.generated.types.Response``."""

    status_code: HTTPStatus
    content: bytes
    headers: Mapping[str, str]
    parsed: T


__all__ = ["UNSET", "Response", "Unset"]
