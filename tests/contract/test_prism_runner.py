"""The Prism runner's failure paths: a clear PrismError, nothing left running."""

from __future__ import annotations

from pathlib import Path

import pytest
from prism import Prism, PrismError


def test_missing_install_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(PrismError, match="make install-mock"):
        Prism(script=tmp_path / "absent.js").start()


def test_server_exiting_before_listening_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    script = tmp_path / "broken.js"
    script.write_text('console.log("cannot read the spec"); process.exit(3);\n')
    server = Prism(script=script)
    with pytest.raises(PrismError, match=r"exited with 3:\ncannot read the spec"):
        server.start()
    assert server.process is None  # stopped and cleaned up
