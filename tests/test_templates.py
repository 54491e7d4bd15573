"""Every upstream template we override has a pristine copy, so a generator upgrade is a merge."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

import templates  # scripts/templates.py (tests/conftest.py puts scripts/ on the path)


def test_each_override_has_its_pristine_upstream_copy() -> None:
    assert templates.overridden() == [
        "model.py.jinja",
        "models_init.py.jinja",
        "property_templates/union_property.py.jinja",
        "str_enum.py.jinja",
    ]
    assert templates.problems() == []


def test_the_api_is_printed_by_our_own_templates_not_forks() -> None:
    """No endpoint template of the generator's is overridden: ``templates/sdk/`` prints the
    typed plan, and none of its names is one of the generator's templates."""
    overridden = templates.overridden()
    assert not any(name.startswith(("endpoint_", "api_init")) for name in overridden)
    ours = sorted(p.name for p in (templates.OURS / "sdk").glob("*.jinja"))
    assert ours == [
        "api_init.py.jinja",
        "client.py.jinja",
        "namespace.py.jinja",
        "package_init.py.jinja",
        "types.py.jinja",
    ]
    assert not any((templates.installed() / "sdk" / name).exists() for name in ours)


def test_a_changed_upstream_template_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "templates"
    for name in templates.overridden():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_bytes((templates.PRISTINE / name).read_bytes())
    (fake / "model.py.jinja").write_text("{# a newer generator #}\n")
    monkeypatch.setattr(templates, "installed", lambda: fake)
    assert templates.problems() == [
        "upstream model.py.jinja changed in the installed generator: merge it into ours"
    ]


def test_diff_shows_our_change_against_upstream() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert templates.main(["diff", "str_enum.py.jinja"]) == 0
    assert "+class {{ enum.class_info.name }}(OpenStrEnum):" in out.getvalue()
    assert "-from enum import StrEnum" in out.getvalue()
