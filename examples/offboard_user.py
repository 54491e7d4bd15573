"""Offboard a user by email: find them, remove them from every group, deactivate them and clear
their metadata.

    python examples/offboard_user.py ada@example.com [--dry-run]

Uses RETOOL_BASE_URL and RETOOL_API_TOKEN (`make demo` points them at a local fake Retool).
``offboard()`` takes the client, so a test can hand it one wired to a fake
(``examples/test_offboard_user.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from retool_api_client import JsonPatch, NotFoundError, RetoolClient, RetoolError


async def offboard(retool: RetoolClient, email: str, *, dry_run: bool = False) -> int:
    user = await retool.users.find_by_email(email)  # a hand-written helper: the exact match only
    if user is None:
        print(f"no user with email {email}")
        return 1
    print(f"found {user.id} {user.first_name} {user.last_name} <{user.email}> active={user.active}")

    detail = await retool.users.get(user.id, include_groups=True)
    groups = detail.groups if isinstance(detail.groups, list) else []
    for group in groups:
        print(f"  remove from group {group.id} {group.name!r}")
        if not dry_run:
            try:
                await retool.groups.remove_user(group.id, user.id)
            except NotFoundError:
                print("    (already gone)")

    patch = JsonPatch().replace("/active", False).replace("/metadata", {})
    print(f"  deactivate and clear metadata: {patch.operations}")
    if dry_run:
        print("dry run: nothing changed")
        return 0
    updated = await retool.users.update(user.id, patch)
    print(f"done; the server answered: {updated.email} active={updated.active}")
    return 0


async def main(email: str, dry_run: bool) -> int:
    async with RetoolClient() as retool:  # RETOOL_BASE_URL, RETOOL_API_TOKEN
        return await offboard(retool, email, dry_run=dry_run)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("email")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(main(args.email, args.dry_run)))
    except RetoolError as exc:  # typed: a clean one-line message instead of a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    cli()
