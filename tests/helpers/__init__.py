"""Helpers shared by the test modules (no test module imports another).

- ``samples``: minimal valid JSON instances from the normalized spec;
- ``releases``: synthetic next Retool releases made from the pinned one;
- ``fakes``: injected time and a client on ``httpx.MockTransport``;
- ``calls``: one call per operation, built from the spec, and the checks on its result.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
