"""Prism, started once per session on 127.0.0.1 (static), and once per seed in dynamic mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from prism import Prism

#: operationId -> "ok" once Prism accepted the request and the SDK parsed the answer.
RESULTS: dict[tuple[str, str], str] = {}  # (operation, pool) -> "ok"
#: operationId -> Prism's complaints about its own answer (spec examples breaking the spec).
RESPONSE_VIOLATIONS: dict[str, list[str]] = {}
SEEDS = (1, 2, 3)


@pytest.fixture(scope="session")
def prism() -> Iterator[Prism]:
    with Prism() as server:
        yield server


@pytest.fixture(scope="session", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def prism_dynamic(request: pytest.FixtureRequest) -> Iterator[Prism]:
    with Prism(dynamic=True, seed=request.param) as server:
        yield server


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if RESULTS:
        from retool_api_client.generated.api import OPERATIONS

        for pool in sorted({pool for _, pool in RESULTS}):
            ok = sum(1 for (_, p), v in RESULTS.items() if p == pool and v == "ok")
            terminalreporter.write_line(
                f"contract: {ok}/{len(OPERATIONS)} operations accepted by Prism and parsed, on the {pool} pool"
            )
        if RESPONSE_VIOLATIONS:
            terminalreporter.write_line(
                f"contract: the spec's own examples break its schema in {len(RESPONSE_VIOLATIONS)} "
                f"responses (Prism's sl-violations on the response, e.g. "
                f"{next(iter(RESPONSE_VIOLATIONS.values()))[0]})"
            )
