"""Serve a fake Retool until Ctrl-C, for code in any language:

    RETOOL_API_TOKEN=any-token python -m retool_api_client.testing --populate users=50 groups=3 --port 8080

Clients send ``Authorization: Bearer $RETOOL_API_TOKEN``; the token is taken from the
environment so it is never printed. ``--populate`` fills any collection (``--users`` and
``--groups`` are short for two of them), ``--fail`` injects faults, ``--rate-limit`` limits
requests per token, ``--spec`` serves another Retool release's document. ``--behaviour``
prints, as a Markdown page, what the fake does for each operation of the spec:
``docs/fake-operations.md``, which ``make regenerate`` rewrites after each regeneration.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from typing import Any

from . import FakeRetool
from ._limits import RateLimit

FAIL_HELP = (
    "a fault: 'METHOD PATH [STATUS|reset] [times=N|all] [retry_after=SECONDS]', "
    "e.g. 'GET /users/{userId} 503 times=2' or '* * 429 times=all retry_after=1' (repeatable)"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m retool_api_client.testing", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--spec", help="another release's OpenAPI document (JSON) instead of the shipped one")
    parser.add_argument(
        "--populate",
        nargs="+",
        default=[],
        metavar="COLLECTION=N",
        help="records to add, e.g. users=50 groups=3",
    )
    parser.add_argument("--users", type=int, default=0, help="short for --populate users=N")
    parser.add_argument("--groups", type=int, default=0, help="short for --populate groups=N")
    parser.add_argument("--fail", action="append", default=[], metavar="FAULT", help=FAIL_HELP)
    parser.add_argument(
        "--rate-limit",
        metavar="N[/SECONDS]",
        help="answer 429 past N requests per token per minute (or SECONDS)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--behaviour", action="store_true", help="print what each operation does, and exit")
    args = parser.parse_args(argv)
    try:
        rate_limit = None if args.rate_limit is None else RateLimit.of(args.rate_limit)
        counts = _counts(args)
        faults = [_fault(text) for text in args.fail]
        fake = FakeRetool(seed=args.seed, spec=args.spec, token=os.environ.get("RETOOL_API_TOKEN") or None,
                          rate_limit=rate_limit)  # fmt: skip
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.behaviour:
        _print_behaviour(fake)
        return 0
    if not os.environ.get("RETOOL_API_TOKEN"):
        print("error: set RETOOL_API_TOKEN to the token your clients will send", file=sys.stderr)
        return 2
    try:
        fake.populate(**counts)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for method, path, options in faults:
        fake.fail(method, path, **options)
    with fake.serve(args.host, args.port) as base_url:
        what = [f"seed {args.seed}", *(f"{n} {name}" for name, n in counts.items())]
        if rate_limit is not None:
            what.append(f"at most {rate_limit.limit} requests per {rate_limit.per:g} s per token")
        what += [f"fault: {text}" for text in args.fail]
        print(f"FakeRetool (Retool API {fake.spec.version}; {', '.join(what)}) at {base_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def _counts(args: argparse.Namespace) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, n in (("users", args.users), ("groups", args.groups)):
        if n:
            counts[name] = n
    for item in (part for text in args.populate for part in text.split(",") if part.strip()):
        name, sep, number = item.partition("=")
        if not sep or not number.strip().isdigit():
            raise ValueError(f"--populate takes COLLECTION=N, got {item!r}")
        counts[name.strip()] = int(number)
    return counts


def _fault(text: str) -> tuple[str, str, dict[str, Any]]:
    words = text.split()
    if len(words) < 2:
        raise ValueError(
            f"--fail takes 'METHOD PATH [STATUS|reset] [times=N|all] [retry_after=S]', got {text!r}"
        )
    method, path, rest = words[0], words[1], words[2:]
    options: dict[str, Any] = {}
    try:
        for word in rest:
            key, sep, value = word.partition("=")
            if word == "reset":
                options["reset"] = True
            elif not sep and word.isdigit():
                options["status"] = int(word)
            elif key == "times":
                options["times"] = None if value == "all" else int(value)
            elif key == "retry_after":
                options["retry_after"] = float(value)
            else:
                raise ValueError(word)
    except ValueError:
        raise ValueError(f"--fail: cannot read {text!r} ({FAIL_HELP})") from None
    return method, path, options


def _print_behaviour(fake: FakeRetool) -> None:
    print(f"# What the fake Retool does, operation by operation (Retool API {fake.spec.version})\n")
    print("Written by `make regenerate` (`python -m retool_api_client.testing --behaviour`); a test")
    print("compares it with the fake. *Stateful* operations read and change the fake's state; the")
    print("others answer with data made up from the response schema, the same for the same seed.\n")
    print("| operation | operationId | the fake |\n| --- | --- | --- |")
    for key, what in fake.behaviour().items():
        route, _, operation_id = key.rpartition(" (")
        print(f"| `{route}` | {operation_id.rstrip(')')} | {what} |")


if __name__ == "__main__":
    sys.exit(main())
