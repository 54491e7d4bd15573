"""The README and the docs must not rot: every Python block of the README compiles, the
quickstart type-checks (mypy --strict) against the package as it is (tests/test_packaging.py runs
it), links work (absolute in the README, which is the package index's page; relative ones in
docs/ and CONTRIBUTING.md point at files that exist), and docs/errors.md's tree is the real one."""

from __future__ import annotations

import re
from pathlib import Path

from .helpers import ROOT
from .helpers.typecheck import mypy_strict

README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_python_blocks_compile() -> None:
    assert len(BLOCKS) >= 3
    for block in BLOCKS:
        # snippets use `await` at top level as if inside an async function
        compile(
            "async def _snippet():\n" + "".join("    " + line + "\n" for line in block.splitlines()),
            "README",
            "exec",
        )


def test_quickstart_type_checks(tmp_path: Path) -> None:
    quickstart = BLOCKS[0]
    assert "asyncio.run(main())" in quickstart
    checked = mypy_strict(quickstart, tmp_path, "quickstart.py")
    assert checked.ok, checked.output


REPO = "https://github.com/retool-api-client/retool-api-client/blob/main/"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_starts_with_the_user_and_links_absolutely() -> None:
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert headings[:2] == ["Install", "Quickstart"]
    assert "pip install" in README.split("## Quickstart")[0]
    links = LINK.findall(README)
    assert [link for link in links if not link.startswith("https://")] == []
    # the repository's own files it links to exist (the docs on GitHub, not on the index)
    own = sorted({link.removeprefix(REPO) for link in links if link.startswith(REPO)})
    assert {"docs/api.md", "docs/errors.md", "CONTRIBUTING.md", "LICENSE"} <= set(own)
    assert [path for path in own if not (ROOT / path).is_file()] == []
    # the set-up commands stay in the contributor part, and CI runs the test one
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_relative_links_in_the_docs_point_at_files() -> None:
    pages = [ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for link in LINK.findall(page.read_text()):
            target = link.partition("#")[0]
            if not target or re.match(r"[a-z]+:", target):
                continue  # an anchor on the same page, or an absolute URL
            path = (page.parent / target).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)}: {link}")
    assert broken == []


def test_the_error_tree_in_the_docs_is_the_class_tree() -> None:
    import retool_api_client as rac

    (tree,) = re.findall(r"```\n(RetoolError\n.*?)```", (ROOT / "docs" / "errors.md").read_text(), flags=re.S)
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in tree.splitlines():
        found = re.search(r"[A-Za-z]+", line)
        assert found is not None
        depth = found.start() // 4
        stack[depth:] = [found.group()]
        parents[found.group()] = stack[depth - 1] if depth else None
    public = {
        name: getattr(rac, name)
        for name in rac.__all__
        if isinstance(getattr(rac, name), type) and issubclass(getattr(rac, name), Exception)
    }
    assert set(parents) == set(public)
    for name, parent in parents.items():
        bases = [b.__name__ for b in public[name].__bases__ if issubclass(b, rac.RetoolError)]
        assert bases == ([parent] if parent else []), name
