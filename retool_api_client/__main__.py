"""``python -m retool_api_client drift``: does the Retool instance speak this SDK's API?

Connects as ``RetoolClient()`` does (``RETOOL_BASE_URL``, ``RETOOL_API_TOKEN``), reads the
instance's ``/api/v2/spec`` once and prints the drift report (``RetoolClient.compare_with_server``).
Exit status: 0 no drift, 1 drift, 2 the check could not run (one ``error:`` line).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from ._exceptions import RetoolError


def main(argv: list[str] | None = None, *, client: Any = None) -> int:
    """The command; ``client`` (a ``RetoolClient``) instead of one made from the environment."""
    parser = argparse.ArgumentParser(prog="python -m retool_api_client", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "drift",
        help="compare the instance's API with this SDK's (exit 1 on drift)",
        description="Compare the Retool API the instance at RETOOL_BASE_URL speaks with the one "
        "this SDK was generated from. Exit status: 0 no drift, 1 drift, 2 the check could not run.",
    )
    parser.parse_args(argv)
    try:
        report = asyncio.run(_drift(client))
    except RetoolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.render())
    return 1 if report.drifted else 0


async def _drift(client: Any) -> Any:
    if client is None:
        from . import RetoolClient

        client = RetoolClient()
    async with client:
        return await client.compare_with_server()


if __name__ == "__main__":
    sys.exit(main())
