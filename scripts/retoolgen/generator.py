"""openapi-python-client, run as a library: its models, our API.

openapi-python-client parses the normalized spec (``GeneratorData``) and writes the models
from its templates (four overridden in ``templates/``, each beside its pristine copy in
``templates/upstream/``). The rest of the package is ours: :class:`SdkProject` prints the
facade from the typed plan (``codeplan.py``), and the package's ``__init__``, ``types.py`` and
``client.py``, through our own templates in ``templates/sdk/``, which override nothing. Any warning or
error the generator reports fails the run (as ``--fail-on-warning`` did).
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
from openapi_python_client.parser.errors import GeneratorError

from . import codeplan, facade


class GeneratorFailed(Exception):
    """openapi-python-client reported warnings or errors; the message lists them."""


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


def generate(
    spec: dict[str, Any],
    names: dict[str, Any],
    *,
    config_path: Path,
    templates: Path,
    dest: Path,
) -> codeplan.Plan:
    """Write the generated package for the normalized ``spec`` into ``dest`` (which must not
    exist); ``names`` is ``facade.plan(...)``. Returns the typed plan it printed."""
    config = Config.from_sources(
        ConfigFile.load_from_path(config_path), MetaType.NONE, dest, "utf-8", True, output_path=dest
    )
    data = GeneratorData.from_dict(spec, config=config)
    if isinstance(data, GeneratorError):
        raise GeneratorFailed(f"{data.header}: {data.detail}")
    plan = codeplan.build(names, data, facade.order_methods)
    project = SdkProject(openapi=data, config=config, custom_template_path=templates, plan=plan)
    # the post-hooks (ruff) are looked up on PATH: the tools beside this Python first
    bin_dir = str(Path(sys.executable).parent)
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # "Generating <dest>"
            errors = project.build()
    finally:
        os.environ["PATH"] = old_path
    if errors:
        raise GeneratorFailed(
            "openapi-python-client reported:\n"
            + "\n".join(f"  {e.header}: {e.detail or ''}".rstrip() for e in errors)
        )
    return plan
