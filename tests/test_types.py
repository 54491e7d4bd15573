"""UNSET: one falsy sentinel, readable wherever a user sees it."""

from __future__ import annotations

import inspect
import pickle
import pydoc

from retool_api_client._types import UNSET, Unset
from retool_api_client.generated import types


def test_unset_is_one_falsy_value_that_reads_as_its_name() -> None:
    assert Unset() is UNSET and types.UNSET is UNSET and types.Unset is Unset
    assert not UNSET and repr(UNSET) == "UNSET"
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET


def test_help_shows_unset_defaults_by_name() -> None:
    from retool_api_client import RetoolClient

    users = RetoolClient("https://acme.retool.com", "tok").users
    assert "include_groups: 'bool | None | Unset' = UNSET" in str(inspect.signature(users.get))
    text = pydoc.render_doc(type(users), renderer=pydoc.plaintext)
    assert "= UNSET" in text and "object at 0x" not in text
