"""Our overrides of openapi-python-client's templates, against pristine upstream copies.

    python scripts/templates.py diff [NAME]   # our change to each overridden template
    python scripts/templates.py check         # the pristine copies are the installed generator's

``templates/upstream/`` holds, for every template we override, the file as the pinned
openapi-python-client ships it. Upgrading the generator is then a three-way merge: ``check``
names the upstream templates that changed, ``git diff templates/upstream`` shows how after
copying the new ones in (``--refresh``), and ``diff`` shows what we changed, to carry over.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "templates"
PRISTINE = OURS / "upstream"


def installed() -> Path:
    import openapi_python_client

    return Path(openapi_python_client.__file__).parent / "templates"


def overridden() -> list[str]:
    """Templates of ours that replace one of the generator's (not the ones we add)."""
    upstream = installed()
    return sorted(
        str(p.relative_to(OURS))
        for p in OURS.rglob("*.jinja")
        if PRISTINE not in p.parents and (upstream / p.relative_to(OURS)).exists()
    )


def problems() -> list[str]:
    upstream = installed()
    out = []
    for name in overridden():
        copy = PRISTINE / name
        if not copy.exists():
            out.append(f"no pristine copy of {name}: run `python scripts/templates.py check --refresh`")
        elif copy.read_bytes() != (upstream / name).read_bytes():
            out.append(f"upstream {name} changed in the installed generator: merge it into ours")
    kept = {str(p.relative_to(PRISTINE)) for p in PRISTINE.rglob("*.jinja")}
    out += [
        f"pristine copy of {name} overrides nothing any more: remove it"
        for name in sorted(kept - set(overridden()))
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["diff", "check"])
    parser.add_argument("name", nargs="?", help="one template, e.g. model.py.jinja")
    parser.add_argument("--refresh", action="store_true", help="with check: copy the installed templates in")
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.refresh:
            for name in overridden():
                (PRISTINE / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(installed() / name, PRISTINE / name)
        found = problems()
        print("\n".join(found) or f"{len(overridden())} overridden templates, each with its pristine copy")
        return 1 if found else 0
    for name in [args.name] if args.name else overridden():
        old = (PRISTINE / name).read_text().splitlines(keepends=True)
        new = (OURS / name).read_text().splitlines(keepends=True)
        sys.stdout.writelines(difflib.unified_diff(old, new, f"upstream/{name}", f"ours/{name}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
