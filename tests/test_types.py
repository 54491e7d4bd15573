"""UNSET: one falsy sentinel, readable wherever a user sees it."""

from __future__ import annotations

import asyncio
import inspect
import pickle
import pydoc
import re
from pathlib import Path
from typing import Any

import httpx

from retool_api_client._types import UNSET, Unset
from retool_api_client.generated import types

from .helpers import ROOT
from .helpers.fakes import make_client, user_json
from .helpers.typecheck import mypy_strict


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


def test_unset_is_exported_from_the_package() -> None:
    import retool_api_client

    assert retool_api_client.UNSET is UNSET and retool_api_client.Unset is Unset
    assert {"UNSET", "Unset"} <= set(retool_api_client.__all__)


def test_the_docs_way_of_reading_an_optional_field_type_checks_and_runs(tmp_path: Path) -> None:
    """docs/requests.md, "Reading optional fields": mypy narrows on ``isinstance(x, Unset)``,
    and the snippet does what it says against a user parsed with and without ``groups``."""
    text = (ROOT / "docs" / "requests.md").read_text().split("## Reading optional fields", 1)[1]
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    imports = [line for line in block.splitlines() if line.startswith("from ")]
    body = [line for line in block.splitlines() if line and not line.startswith("from ")]
    module = "\n".join(
        ["from retool_api_client import RetoolClient", *imports, "",
         "async def read(retool: RetoolClient, user_id: str) -> tuple[list[str], str]:",
         *("    " + line for line in body), "    return names, first_name", ""]
    )  # fmt: skip
    checked = mypy_strict(module, tmp_path)
    assert checked.ok, checked.output
    namespace: dict[str, Any] = {}
    exec(compile(module, "snippet", "exec"), namespace)
    answers = iter([user_json(), user_json(groups=[{"id": 3, "legacy_id": None, "name": "Finance"}])])

    async def read() -> Any:
        async with make_client(
            lambda r: httpx.Response(200, json={"success": True, "data": next(answers)})
        ) as retool:
            return await namespace["read"](retool, "user_1")

    assert asyncio.run(read()) == (["Finance"], "A")
