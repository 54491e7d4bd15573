"""Regenerate the SDK core from the pinned Retool spec, or pull and pin a new one.

    python scripts/regenerate.py                       # offline, from openapi/spec.lock
    python scripts/regenerate.py --spec URL_OR_FILE    # pull, pin, changelog, regenerate
    python scripts/regenerate.py --check               # fail if the committed tree is stale
    python scripts/regenerate.py --strict ...          # every warning is fatal (this repository's CI)

Warnings (``warning:`` lines, and the changelog's "Reported by the pipeline"): stale fixes.yaml
entries, settled name collisions, and the parts of operations openapi-python-client refused,
which are typed loosely (``scripts/retoolgen/loose.py``) rather than stopping the run.

A Bearer token for ``--spec URL`` is read from ``RETOOL_API_TOKEN`` (never printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retoolgen.normalize import NormalizeError
from retoolgen.pipeline import Layout, PipelineError, check, regenerate
from retoolgen.pull import PullError
from retoolgen.surface import SurfaceError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", help="URL (e.g. https://acme.retool.com/api/v2/spec) or file to pull")
    parser.add_argument("--check", action="store_true", help="compare a fresh build with the committed tree")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on any warning: stale fixes.yaml entries, settled name collisions, loosely typed parts",
    )
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent, help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    layout = Layout(args.root.resolve())
    started = time.perf_counter()
    try:
        if args.check:
            problems = check(layout, strict=args.strict)
            if problems:
                print("generated code is out of date with openapi/ (run `make regenerate`):")
                print("\n".join(f"  {p}" for p in problems[:50]))
                return 1
            print(f"generated code matches openapi/ ({time.perf_counter() - started:.1f}s)")
            return 0
        source = args.spec or None
        for message in regenerate(
            layout, source, token=os.environ.get("RETOOL_API_TOKEN") or None, strict=args.strict
        ):
            print(message)
    except (PullError, NormalizeError, PipelineError, SurfaceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
