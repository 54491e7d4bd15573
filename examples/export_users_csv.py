"""Export every user with their groups to CSV, with a progress line.

    python examples/export_users_csv.py users.csv [--page-size 100]

Uses RETOOL_BASE_URL and RETOOL_API_TOKEN (`make demo` points them at a local fake Retool).
Users are streamed page by page (the next page is fetched while this one is written), so memory
stays flat however many users there are.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from pathlib import Path

from retool_api_client import RetoolClient, RetoolError

FIELDS = ["id", "email", "first_name", "last_name", "active", "user_type", "created_at", "groups"]


async def export(retool: RetoolClient, path: Path, page_size: int) -> int:
    # list_groups answers every group at once: it takes no cursor to ask for more
    groups = await retool.groups.list().first_page()
    if groups.has_more:
        print("warning: the server says there are more groups than it sent; list_groups takes "
              "no cursor, so memberships come from the groups received", file=sys.stderr)  # fmt: skip
    groups_of: dict[str, list[str]] = {}
    for group in groups.items:
        for member in group.members:
            groups_of.setdefault(member.id, []).append(group.name)

    written = 0
    live = sys.stderr.isatty()  # on a terminal the line updates in place; in a log, one a page
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        async for page in retool.users.list(page_size=page_size, prefetch=True).pages():
            for user in page.items:
                member_of = ";".join(groups_of.get(user.id, []))
                writer.writerow([
                    user.id, user.email, user.first_name or "", user.last_name or "", user.active,
                    user.user_type.value, user.created_at.isoformat(), member_of,
                ])  # fmt: skip
            written += len(page.items)
            total = page.total_count if page.total_count and page.total_count >= written else "?"
            progress = f"exported {written}/{total} users"
            print(
                "\r" + progress if live else progress, end="" if live else "\n", file=sys.stderr, flush=True
            )
    if live:
        print(file=sys.stderr)  # end the line that was updated in place
    print(f"wrote {written} users with their groups to {path}")
    return 0


async def main(path: Path, page_size: int) -> int:
    async with RetoolClient() as retool:  # RETOOL_BASE_URL, RETOOL_API_TOKEN
        return await export(retool, path, page_size)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(main(args.output, args.page_size)))
    except RetoolError as exc:  # typed: a clean one-line message instead of a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    cli()
