"""openapi-python-client, run as a library: its models, our API.

openapi-python-client parses the normalized spec (``GeneratorData``) and writes the models
from its templates (four overridden in ``templates/``, each beside its pristine copy in
``templates/upstream/``). The rest of the package is ours: :class:`SdkProject` prints the
facade from the typed plan (``codeplan.py``), and the package's ``__init__``, ``types.py`` and
``client.py``, through our own templates in ``templates/sdk/``, which override nothing.

:func:`read` is the generator's parse, run before the plan: what it refuses is typed loosely
(``loose.py``) and reported by the pipeline. :func:`generate` writes the package from that parse
and the typed plan; any error the generator reports while writing (a failed post-hook) fails
the run.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from openapi_python_client import Project
from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData

from . import codeplan, loose
from .loose import GeneratorFailed

__all__ = ["GeneratorFailed", "SdkProject", "generate", "read"]


class SdkProject(Project):
    """A ``Project`` whose API is the facade printed from ``plan``."""

    def __init__(self, *, plan: codeplan.Plan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    def _render(self, template: str, path: Path, **context: Any) -> None:
        text = self.env.get_template(f"sdk/{template}").render(**context)
        path.write_text(text, encoding=self.config.file_encoding)

    def _create_package(self) -> None:
        """The package's ``__init__`` and ``types.py``: ours (lazy imports; the core's
        ``UNSET`` and ``Response``), not the generator's."""
        self._render("package_init.py.jinja", self.package_dir / "__init__.py")
        self._render("types.py.jinja", self.package_dir / "types.py")

    def _build_api(self) -> None:
        """``client.py`` (``RetoolClient``: the core's ``BaseClient`` and the namespaces) and
        ``api/``: the facade, printed from the plan. The generator's endpoint modules, its
        ``Client`` classes and its ``errors.py`` are not written."""
        self._render("client.py.jinja", self.package_dir / "client.py")
        api_dir = self.package_dir / "api"
        shutil.rmtree(api_dir, ignore_errors=True)
        api_dir.mkdir()
        self._render("api_init.py.jinja", api_dir / "__init__.py", plan=self.plan)
        for ns in self.plan.namespaces:
            (api_dir / ns.attr).mkdir()
            self._render("namespace.py.jinja", api_dir / ns.attr / "__init__.py", ns=ns)


def _config(config_path: Path, dest: Path) -> Config:
    return Config.from_sources(
        ConfigFile.load_from_path(config_path), MetaType.NONE, dest, "utf-8", True, output_path=dest
    )


def read(spec: dict[str, Any], *, config_path: Path) -> loose.Report:
    """openapi-python-client's parse of the normalized ``spec``, with what it refused loosened
    (``loose.read``); raises ``GeneratorFailed`` when it refuses the document as a whole."""
    return loose.read(spec, _config(config_path, Path("generated")))


def generate(
    data: GeneratorData,
    plan: codeplan.Plan,
    *,
    config_path: Path,
    templates: Path,
    dest: Path,
) -> None:
    """Write the generated package for the generator's parse ``data`` (:func:`read`) and the
    typed ``plan`` into ``dest`` (which must not exist)."""
    config = _config(config_path, dest)
    project = SdkProject(openapi=data, config=config, custom_template_path=templates, plan=plan)
    # the post-hooks (ruff) are looked up on PATH: the tools beside this Python first
    bin_dir = str(Path(sys.executable).parent)
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # "Generating <dest>"
            project.build()
    finally:
        os.environ["PATH"] = old_path
    # what the parse refused is in data (reported, and typed loosely by the plan); the rest is new
    if project.errors:
        raise GeneratorFailed(
            "openapi-python-client reported: "
            + "; ".join(f"{e.header}: {e.detail or ''}".strip() for e in project.errors)
        )
