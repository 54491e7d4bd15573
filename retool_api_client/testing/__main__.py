"""Serve a fake Retool until Ctrl-C, for code in any language:

    RETOOL_API_TOKEN=any-token python -m retool_api_client.testing --users 50 --groups 3 --port 8080

Clients send ``Authorization: Bearer $RETOOL_API_TOKEN``; the token is taken from the
environment so it is never printed. ``--behaviour`` prints, as a Markdown page, what the fake
does for each operation of the spec: ``docs/fake-operations.md``, which ``make regenerate``
rewrites after each regeneration.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading

from . import FakeRetool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m retool_api_client.testing", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--groups", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--behaviour", action="store_true", help="print what each operation does, and exit")
    args = parser.parse_args(argv)
    if args.behaviour:
        fake = FakeRetool(seed=args.seed)
        version = fake.spec.raw["info"]["version"]
        print(f"# What the fake Retool does, operation by operation (Retool API {version})\n")
        print("Written by `make regenerate` (`python -m retool_api_client.testing --behaviour`); a test")
        print("compares it with the fake. *Stateful* operations read and change the fake's state; the")
        print("others answer with data made up from the response schema, the same for the same seed.\n")
        print("| operation | operationId | the fake |\n| --- | --- | --- |")
        for key, what in fake.behaviour().items():
            route, _, operation_id = key.rpartition(" (")
            print(f"| `{route}` | {operation_id.rstrip(')')} | {what} |")
        return 0
    token = os.environ.get("RETOOL_API_TOKEN")
    if not token:
        print("error: set RETOOL_API_TOKEN to the token your clients will send", file=sys.stderr)
        return 2
    fake = FakeRetool(seed=args.seed, token=token).populate(users=args.users, groups=args.groups)
    with fake.serve(args.host, args.port) as base_url:
        print(
            f"FakeRetool (seed {args.seed}, {args.users} users, {args.groups} groups) at {base_url}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
