"""What one API operation is, as data: the description the generated namespaces hand the core.

The generator prints one :class:`Operation` per operation beside its facade method
(``generated/api/<namespace>/__init__.py``); :mod:`._request` is the one pipeline that turns an
operation and a call's arguments into a request, sends it and parses the answer, and
:mod:`._pagination` walks the operations that have a :class:`Pages` shape. Models are named,
not imported (``"models.user:User"``, relative to the generated package), so describing all
146 operations costs no model import; each is imported once, when first needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import _tables

__all__ = ["Fill", "Operation", "Pages", "model"]

#: How a facade method's return value is taken from the parsed success body:
#: ``data`` its ``data`` member (Retool's envelope), ``whole`` the body itself, ``none``
#: nothing (204), ``mixed`` ``data`` when the body has one, else the body.
Unwrap = Literal["data", "whole", "none", "mixed"]


@dataclass(frozen=True, slots=True)
class Pages:
    """How a list operation pages: its ``limit`` parameter's Python name (None: it takes
    none), whether the limit is sent as text, the range the spec allows (None: any positive
    size), and its cursor parameter (None: it takes none, so only its first page can be asked
    for)."""

    limit: str | None = "limit"
    limit_as_text: bool = False
    size_range: tuple[int, int] | None = None
    token: str | None = "next_token"


@dataclass(frozen=True, slots=True)
class Fill:
    """The spec defaults of required fields in a JSON body, which ``_request.build`` fills in
    where the caller left them out (``{"id": uid}`` as a ``GroupMemberRef`` is sent with
    ``"is_group_admin": false``, as the model would have it): this object's own ``defaults``
    (JSON name -> value), the fills of the objects under its ``fields`` and of an array's
    ``items``, and for a union of objects told apart by a one-valued field, ``choices``:
    ``(field, value, fill)`` for the branch whose ``field`` is ``value``."""

    defaults: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, Fill] = field(default_factory=dict)
    items: Fill | None = None
    choices: tuple[tuple[str, Any, Fill], ...] = ()


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: enough to build, check, send and parse any call of it.

    ``path`` is the spec's path with its parameters under their Python names
    (``/users/{user_id}``), ``path_params`` those names in the order a call gives them;
    ``query`` and ``headers`` pair each parameter's Python name with the name sent, and
    ``body_fields`` each field of a JSON object body that the method also takes as a keyword
    (how the request check names them). ``fill`` says where the body gets spec defaults.
    ``responses`` maps each documented status to the model its body parses into
    (``"list:models.x:X"``: a JSON array of them; ``"json"``: the decoded JSON, for an answer
    the spec gives no schema or the generator could not type; None: no body); a status >= 400
    with a model gives the error's ``parsed``. ``template`` is the spec's path as the spec
    names its parameters (``/users/{userId}``), for logs and tracing. ``loose`` names the parts
    the generator could not type (``"body"``, ``"parameter x"``, ``"response 200"``), which the
    facade takes or returns as plain JSON (the request check still applies the spec)."""

    id: str
    method: str
    path: str
    path_params: tuple[str, ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    body: Literal["json", "multipart"] | None = None
    body_fields: tuple[tuple[str, str], ...] = ()
    fill: Fill | None = None
    responses: dict[int, str | None] = field(default_factory=dict)
    unwrap: Unwrap = "whole"
    pages: Pages | None = None
    template: str = ""
    loose: tuple[str, ...] = ()


_MODELS: dict[str, Any] = {}


def model(name: str) -> Any:
    """The generated class ``name`` (``"models.user:User"``), imported on first use."""
    found = _MODELS.get(name)
    if found is None:
        module, _, attr = name.partition(":")
        found = getattr(importlib.import_module(f"{_tables.data_package()}.{module}"), attr)
        _MODELS[name] = found
    return found
