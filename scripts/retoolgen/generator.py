"""openapi-python-client, run as a library: its models, our API.

openapi-python-client parses the normalized spec (``GeneratorData``) and writes the models,
``types.py`` and ``client.py`` from its templates (a few overridden in ``templates/``, each
beside its pristine copy in ``templates/upstream/``). Its endpoint modules are not written:
:class:`SdkProject` prints the facade instead, from the typed plan (``codeplan.py``) through
our own templates in ``templates/sdk/``, which have no upstream counterpart. Any warning or
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

    def _build_api(self) -> None:
        client = self.env.get_template("client.py.jinja")
        (self.package_dir / "client.py").write_text(client.render(), encoding=self.config.file_encoding)
        errors = self.env.get_template("errors.py.jinja")
        (self.package_dir / "errors.py").write_text(errors.render(), encoding=self.config.file_encoding)
        api_dir = self.package_dir / "api"
        shutil.rmtree(api_dir, ignore_errors=True)
        api_dir.mkdir()
        init = self.env.get_template("sdk/api_init.py.jinja")
        (api_dir / "__init__.py").write_text(init.render(plan=self.plan), encoding=self.config.file_encoding)
        namespace = self.env.get_template("sdk/namespace.py.jinja")
        for ns in self.plan.namespaces:
            (api_dir / ns.attr).mkdir()
            (api_dir / ns.attr / "__init__.py").write_text(
                namespace.render(ns=ns), encoding=self.config.file_encoding
            )


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
