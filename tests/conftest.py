from __future__ import annotations

import sys

from .helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
