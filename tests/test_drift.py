"""``retool.compare_with_server()`` and ``python -m retool_api_client drift``: the server's
``/api/v2/spec`` (served by ``httpx.MockTransport``, or over 127.0.0.1 for the command) against
the spec the SDK was generated from.

The server speaks the pinned release, a synthetic next release of it, or a real document of
another release (``tests/data/specs/``); what the report must say is derived from the two
documents, so the tests hold whichever release is pinned."""

from __future__ import annotations

import copy
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from retool_api_client import APIError, DriftReport, RetoolClient
from retool_api_client.__main__ import main
from retool_api_client._drift import ServerSpecError, compare
from retool_api_client._exceptions import APIConnectionError, APIResponseValidationError, NotFoundError

from .helpers import ROOT, releases
from .helpers.fakes import make_client

TOKEN = "tok_secret_123"  # make_client's


def other_release() -> dict[str, Any]:
    """The newest real document of a release other than the pinned one (of equal versions,
    Retool's own: the provider's edited copies add ``-provider`` to the name)."""

    def key(path: Any) -> tuple[tuple[int, ...], int]:
        version = json.loads(path.read_text())["info"]["version"]
        return tuple(int(n) for n in re.findall(r"\d+", version)), -len(path.name)

    others = [
        p
        for p in (ROOT / "tests" / "data" / "specs").glob("retool-*.json")
        if json.loads(p.read_text())["info"]["version"] != RetoolClient.api_version
    ]
    return json.loads(max(others, key=key).read_text())


OTHER = other_release()


def keys(spec: dict[str, Any]) -> set[str]:
    """Its operations as the surface lock keys them (``:id`` segments read as parameters)."""
    from retoolgen.normalize import operations
    from retoolgen.surface import op_key

    return {op_key(method, re.sub(r"/:(\w+)", r"/{\1}", path)) for path, method, _ in operations(spec)}


def calls_of(endpoints: list[str]) -> set[str]:
    from retoolgen.surface import op_key

    from retool_api_client.generated.api import ENDPOINTS, OPERATIONS

    wanted = {op_key(*e.split(" ")) for e in endpoints}
    return {
        "retool.{}.{}".format(*OPERATIONS[oid])
        for oid, e in ENDPOINTS.items()
        if op_key(*e.split(" ")) in wanted
    }


def serving(
    document: Any, seen: list[httpx.Request] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        if request.url.path != "/api/v2/spec":
            return httpx.Response(404, json={"success": False, "message": "no such route"})
        return httpx.Response(200, json=document)

    return handler


async def drift(handler: Callable[[httpx.Request], httpx.Response]) -> DriftReport:
    async with make_client(handler) as retool:
        return await retool.compare_with_server()


async def test_the_release_the_sdk_was_generated_from_is_no_drift() -> None:
    seen: list[httpx.Request] = []
    report = await drift(serving(releases.pinned(), seen))
    assert report.server_version == report.sdk_version == RetoolClient.api_version
    assert (report.missing, report.changed, report.extra) == ((), (), ())
    assert not report.drifted
    assert report.render().splitlines()[-1] == "no drift"
    # one GET, through the SDK's pipeline: its base URL, token and user agent
    assert [(r.method, str(r.url)) for r in seen] == [("GET", "https://acme.retool.com/api/v2/spec")]
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert seen[0].headers["user-agent"].startswith("retool-api-client/")


async def test_a_synthetic_next_release_names_what_it_removed_added_and_changed() -> None:
    release = releases.next_release()
    spec, pinned = release.spec, releases.pinned()
    gone = set(release.removed)
    summaries = [op.get("summary") for _, _, op in releases.ops(pinned)]
    kept = [
        (path, method, op)
        for path, method, op in releases.ops(pinned)
        if f"{method.upper()} {path}" not in gone and summaries.count(op.get("summary")) == 1
    ]
    # one operation moved to another path, its summary as before (the release rewords them all)
    path, method, _ = next((p, m, o) for p, m, o in kept if m == "post" and "{" in p)
    moved = spec["paths"].setdefault(f"{path}_moved", {})
    moved[method] = spec["paths"][path].pop(method)
    moved[method]["summary"] = pinned["paths"][path][method]["summary"]
    moved[method].setdefault("parameters", []).extend(spec["paths"][path].get("parameters", []))
    # one now requires a parameter the SDK does not know; one no longer takes one the SDK sends
    needs, _, _ = next((p, m, o) for p, m, o in kept if m == "get" and p != path)
    spec["paths"][needs]["get"].setdefault("parameters", []).append(
        {"name": "orgScope", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    lost_path, lost_method, lost = next(
        (p, m, o)
        for p, m, o in kept
        if p not in (path, needs)
        and any(q["in"] == "query" and not q.get("required") for q in o.get("parameters", []))
    )
    lost_name = next(q["name"] for q in lost["parameters"] if q["in"] == "query" and not q.get("required"))
    theirs = spec["paths"][lost_path][lost_method]
    theirs["parameters"] = [q for q in theirs["parameters"] if q["name"] != lost_name]
    report = await drift(serving(spec))

    assert report.drifted
    assert (report.server_version, report.sdk_version) == (release.version, RetoolClient.api_version)
    assert [(d.endpoint, d.server) for d in report.missing] == [(r, None) for r in release.removed]
    assert {d.call for d in report.missing} == calls_of(release.removed)
    assert set(report.extra) == {*release.added, release.unusual}
    changed = {d.endpoint: d for d in report.changed}
    endpoint = f"{method.upper()} {path}"
    assert set(changed) == {endpoint, f"GET {needs}", f"{lost_method.upper()} {lost_path}"}
    assert changed[endpoint].server == f"{method.upper()} {path}_moved"
    assert changed[endpoint].changes == (f"now {method.upper()} {path}_moved",)
    assert changed[f"GET {needs}"].changes == (
        "the server requires query parameter 'orgScope', which this SDK does not send",
    )
    assert changed[f"{lost_method.upper()} {lost_path}"].changes == (
        f"the server does not take query parameter {lost_name!r}",
    )
    text = report.render()
    assert f"server: Retool API {release.version}; this SDK: Retool API {RetoolClient.api_version}" in text
    assert f"{len(release.removed)} methods the server lacks:" in text and text.endswith("\ndrift")


async def test_a_real_release_of_another_version_names_what_each_side_lacks() -> None:
    report = await drift(serving(OTHER))
    assert report.server_version == OTHER["info"]["version"] != report.sdk_version and report.drifted
    from retoolgen.surface import op_key

    from retool_api_client.generated.api import ENDPOINTS

    ours, theirs = keys(releases.pinned()), keys(OTHER)
    lacking = calls_of([e for e in ENDPOINTS.values() if op_key(*e.split(" ")) not in theirs])
    moved = {d.call for d in report.changed if d.changes[0].startswith("now ")}
    assert {d.call for d in report.missing} | moved == lacking
    assert all(d.server is None for d in report.missing)
    assert len(report.extra) + len(moved) == len(theirs - ours)


def test_compare_reads_colon_paths_path_parameters_and_references_as_the_pipeline_does() -> None:
    sdk = {
        "openapi": "3.0.0",
        "info": {"version": "1"},
        "paths": {
            "/tokens/{tokenId}": {
                "get": {
                    "operationId": "get_token",
                    "parameters": [
                        {"name": "tokenId", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "expand", "in": "query", "required": True, "schema": {"type": "string"}},
                    ],
                }
            }
        },
    }
    server = {
        "openapi": "3.0.0",
        "info": {"version": "1"},
        "components": {"parameters": {"expand": {"name": "expand", "in": "query", "required": True}}},
        "paths": {"/tokens/:id": {"parameters": [{"$ref": "#/components/parameters/expand"}], "get": {}}},
    }
    import retool_api_client.generated.api  # noqa: F401  (the tables compare names calls from)

    report = compare(server, sdk)
    assert (report.missing, report.changed, report.extra) == ((), (), ())
    server["paths"]["/tokens/:id"]["parameters"] = []
    (changed,) = compare(server, sdk).changed
    assert changed.endpoint == "GET /tokens/{tokenId}" and changed.server == "GET /tokens/{id}"
    assert changed.changes == ("the server does not take query parameter 'expand'",)


@pytest.mark.parametrize(
    ("answer", "cause", "says"),
    [
        (httpx.Response(404, json={"success": False, "message": "Not found"}), NotFoundError, "404"),
        (
            httpx.Response(
                200, text="<!DOCTYPE html><html>Log in</html>", headers={"content-type": "text/html"}
            ),
            APIResponseValidationError,
            "could not read the server's API description",
        ),
        (
            httpx.Response(200, json={"swagger": "2.0", "paths": {}}),
            None,
            "not an OpenAPI 3 document (swagger: '2.0')",
        ),
        (httpx.Response(200, json=[1, 2]), None, "not an OpenAPI document: a JSON list"),
        (
            httpx.Response(200, json={"openapi": "3.0.0", "info": {}, "paths": {}}),
            None,
            "has no info.version",
        ),
    ],
)
async def test_a_server_whose_spec_is_not_one_raises_a_typed_error_saying_so(
    answer: httpx.Response, cause: type[Exception] | None, says: str
) -> None:
    with pytest.raises(ServerSpecError) as info:
        await drift(lambda request: answer)
    assert isinstance(info.value, APIError) and says in str(info.value)
    assert (type(info.value.__cause__) if cause else None) is cause
    assert TOKEN not in repr(info.value) and TOKEN not in str(info.value.__cause__)


async def test_an_unreachable_server_raises_a_typed_error_with_the_connection_error_behind_it() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(ServerSpecError, match="could not read the server's API description") as info:
        await drift(refuse)
    assert isinstance(info.value.__cause__, APIConnectionError)


async def test_the_report_is_read_once_per_call_not_per_request() -> None:
    seen: list[httpx.Request] = []
    handler = serving(releases.pinned(), seen)
    async with make_client(handler) as retool:
        await retool.compare_with_server()
        await retool.compare_with_server()
    assert len(seen) == 2  # asked twice, read twice: nothing cached behind the caller's back


# -- the command --------------------------------------------------------------------------------


def test_the_command_prints_the_report_and_exits_1_on_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["drift"], client=make_client(serving(OTHER))) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"server: Retool API {OTHER['info']['version']}; this SDK: Retool API ")
    report = compare(OTHER)
    assert all(f"  {d.line()}\n" in out for d in report.missing + report.changed)
    assert out.endswith("drift\n")
    assert main(["drift"], client=make_client(serving(releases.pinned()))) == 0
    assert capsys.readouterr().out.endswith("\nno drift\n")


def test_the_command_says_why_it_could_not_run_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["drift"], client=make_client(lambda r: httpx.Response(401, json={"message": "bad token"}))) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: could not read the server's API description") and err.count("\n") == 1
    assert TOKEN not in err


@pytest.fixture
def spec_server() -> Iterator[tuple[str, dict[str, Any]]]:
    """An HTTP server on 127.0.0.1 answering ``GET /api/v2/spec`` with ``served["document"]``."""
    served: dict[str, Any] = {"document": OTHER, "auth": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served["auth"].append(self.headers.get("Authorization"))
            body = json.dumps(served["document"]).encode()
            self.send_response(200 if self.path == "/api/v2/spec" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run_command(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RETOOL_")}
    return subprocess.run(
        [sys.executable, "-m", "retool_api_client", "drift"],
        env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_python_m_retool_api_client_drift_reads_the_environment(
    spec_server: tuple[str, dict[str, Any]],
) -> None:
    url, served = spec_server
    drifted = run_command({"RETOOL_BASE_URL": url, "RETOOL_API_TOKEN": "tok_env_456"})
    assert drifted.returncode == 1, drifted.stderr
    assert f"Retool API {OTHER['info']['version']};" in drifted.stdout and drifted.stdout.endswith("drift\n")
    assert served["auth"] == ["Bearer tok_env_456"]
    served["document"] = releases.pinned()
    same = run_command({"RETOOL_BASE_URL": url, "RETOOL_API_TOKEN": "tok_env_456"})
    assert same.returncode == 0 and same.stdout.endswith("no drift\n")
    unset = run_command({})
    assert unset.returncode == 2 and unset.stderr.startswith("error: No Retool URL")
    assert unset.stderr.count("\n") == 1


def test_a_copy_of_a_document_is_compared_not_changed() -> None:
    import retool_api_client.generated.api  # noqa: F401

    document = copy.deepcopy(OTHER)
    compare(document)
    assert document == OTHER


async def test_the_fake_serving_another_release_over_http_shows_the_same_drift() -> None:
    """The fake serves the document it was built from at /api/v2/spec: a service's health check
    against a fake of another release names what the direct comparison names."""
    from retool_api_client.testing import FakeRetool

    fake = FakeRetool(seed=1, spec=OTHER)
    async with fake.serve() as base_url, RetoolClient(base_url, fake.token) as retool:
        report = await retool.compare_with_server()
    expected = compare(OTHER)
    assert report.server_version == OTHER["info"]["version"] and report.drifted
    assert (report.missing, report.changed, report.extra) == (
        expected.missing,
        expected.changed,
        expected.extra,
    )
    assert report.missing  # 2.12.0 lacks operations this SDK has
