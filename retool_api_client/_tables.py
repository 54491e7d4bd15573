"""What the core reads about the API as a whole, handed to it by the generated package.

The core never imports ``retool_api_client.generated``: ``generated.api`` calls
:func:`register` when it is imported (the package ``__init__`` imports it first), so ``patch``
finds each PATCH endpoint's rules, ``_parsing.json_value`` the JSON names of model fields, and
the request check and ``_operation.model`` the package the generated code and data live in.
What one operation needs travels with it (``_operation.Operation``).
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


#: operationId -> PatchRule, for the operations whose body is ``{"operations": [JSON Patch]}``
PATCH_RULES: dict[str, PatchRule] = {}
#: generated model class -> {Python attribute: JSON name}, for the attributes named otherwise
#: (``type_`` -> ``type``): how ``_parsing.json_value`` writes a model without its ``to_dict()``
JSON_NAMES: dict[str, dict[str, str]] = {}
#: the generated package (models, ``request_schemas.json``)
DATA_PACKAGE: list[str] = []


def register(
    *,
    patch_rules: Mapping[str, PatchRule],
    data_package: str,
    json_names: Mapping[str, Mapping[str, str]],
) -> None:
    PATCH_RULES.clear()
    PATCH_RULES.update(patch_rules)
    DATA_PACKAGE[:] = [data_package]
    JSON_NAMES.clear()
    JSON_NAMES.update({name: dict(fields) for name, fields in json_names.items()})


def data_package() -> str:
    if not DATA_PACKAGE:
        raise RuntimeError("retool_api_client.generated was not imported (import retool_api_client first)")
    return DATA_PACKAGE[0]
