"""What the core reads about the API, handed to it by the generated package.

The core never imports ``retool_api_client.generated``: ``generated.api`` calls
:func:`register` when it is imported (the package ``__init__`` imports it first), so pagination
finds each operation's ``limit`` range, ``patch`` each PATCH endpoint's rules, and the request
check the package that holds ``request_schemas.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class PatchRule(NamedTuple):
    """What one JSON Patch endpoint accepts, read from the spec (see ``retool_api_client.patch``)."""

    endpoint: str  #: "PATCH /users/{userId} (update_user)"
    ops: tuple[str, ...]  #: the RFC 6902 ops its body schema allows
    fields: tuple[str, ...]  #: top-level fields of the model it updates
    target: str  #: that model


#: operationId -> the ``limit`` range its spec declares (None: any positive size)
PAGE_SIZE_RANGES: dict[str, tuple[int, int] | None] = {}
#: operationId -> PatchRule, for the operations whose body is ``{"operations": [JSON Patch]}``
PATCH_RULES: dict[str, PatchRule] = {}
#: the package whose data files (``request_schemas.json``) describe the API
DATA_PACKAGE: list[str] = []


def register(
    *,
    page_size_ranges: Mapping[str, tuple[int, int] | None],
    patch_rules: Mapping[str, PatchRule],
    data_package: str,
) -> None:
    PAGE_SIZE_RANGES.clear()
    PAGE_SIZE_RANGES.update(page_size_ranges)
    PATCH_RULES.clear()
    PATCH_RULES.update(patch_rules)
    DATA_PACKAGE[:] = [data_package]


def data_package() -> str:
    if not DATA_PACKAGE:
        raise RuntimeError("retool_api_client.generated was not imported (import retool_api_client first)")
    return DATA_PACKAGE[0]
