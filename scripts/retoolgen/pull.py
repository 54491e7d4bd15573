"""Pull a Retool OpenAPI document and pin it under ``openapi/``.

A pull either succeeds completely (pristine file ``openapi/retool-<version>.json`` written and
``openapi/spec.lock`` updated) or fails with one :class:`PullError` line and changes nothing:
every check runs before the first write, and both writes go through a temp file + rename.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import httpx

LOCK_NAME = "spec.lock"
TIMEOUT_S = 30.0


class PullError(Exception):
    """The document could not be pulled; the message is one line for the user."""


def fetch(source: str, *, timeout: float = TIMEOUT_S, token: str | None = None) -> tuple[bytes, str]:
    """Read ``source`` (http(s) URL or file path); returns (raw bytes, canonical source string)."""
    if re.match(r"^https?://", source):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = httpx.get(source, headers=headers, timeout=timeout, follow_redirects=True)
        except httpx.TimeoutException:
            raise PullError(f"timed out after {timeout:g}s fetching {source}") from None
        except httpx.HTTPError as exc:
            raise PullError(f"could not fetch {source}: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise PullError(f"fetching {source} returned HTTP {response.status_code}, expected 200")
        return response.content, source
    path = Path(source)
    if not path.is_file():
        raise PullError(f"no such file: {source}")
    return path.read_bytes(), str(path)


def parse(raw: bytes, source: str) -> dict[str, Any]:
    """Check that ``raw`` is an OpenAPI 3 JSON document with ``info.version``."""
    head = raw[:200].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html")):
        raise PullError(f"{source} returned an HTML page, not an OpenAPI document (login page or wrong URL?)")
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PullError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3."):
        found = doc.get("openapi") or doc.get("swagger") if isinstance(doc, dict) else type(doc).__name__
        raise PullError(f"{source} is not an OpenAPI 3 document (openapi: {found!r})")
    version = (doc.get("info") or {}).get("version")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+_-]*", version):
        raise PullError(f"{source} has no usable info.version ({version!r})")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        raise PullError(f"{source} has no paths")
    return doc


def read_lock(openapi_dir: Path) -> dict[str, Any]:
    path = openapi_dir / LOCK_NAME
    if not path.exists():
        return {"current": None, "versions": {}}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def pinned_spec_path(openapi_dir: Path) -> Path:
    lock = read_lock(openapi_dir)
    if not lock.get("current"):
        raise PullError(f"{openapi_dir / LOCK_NAME} pins no spec: run `make regenerate SPEC=<url or file>`")
    return openapi_dir / lock["versions"][lock["current"]]["file"]


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def pin(
    openapi_dir: Path,
    source: str,
    *,
    token: str | None = None,
    today: dt.date | None = None,
    timeout: float = TIMEOUT_S,
) -> tuple[str | None, str]:
    """Pull ``source`` and pin it. Returns (previous current version, new version)."""
    raw, canonical_source = fetch(source, token=token, timeout=timeout)
    doc = parse(raw, canonical_source)
    version = doc["info"]["version"]
    lock = read_lock(openapi_dir)
    previous = lock.get("current")
    name = f"retool-{version}.json"
    pristine = raw if raw.endswith(b"\n") else raw + b"\n"
    existing = openapi_dir / name
    if existing.exists() and existing.read_bytes() != pristine:
        # same version, different bytes: keep both facts visible rather than overwrite silently
        old_sha = hashlib.sha256(existing.read_bytes()).hexdigest()[:12]
        print(f"note: {name} already pinned with sha256 {old_sha}...; replacing with the pulled copy")
    lock.setdefault("versions", {})[version] = {
        "file": name,
        "source": _redact(canonical_source),
        "sha256": hashlib.sha256(pristine).hexdigest(),
        "pulled": (today or dt.date.today()).isoformat(),
    }
    lock["current"] = version
    lock["versions"] = dict(sorted(lock["versions"].items(), key=lambda kv: _version_key(kv[0])))
    _atomic_write(existing, pristine)
    _atomic_write(openapi_dir / LOCK_NAME, (json.dumps(lock, indent=2) + "\n").encode())
    return previous, version


def _redact(source: str) -> str:
    """Never record credentials embedded in a URL."""
    return re.sub(r"//[^/@]+@", "//", source)


def _version_key(version: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.+_-]", version))
