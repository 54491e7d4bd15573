"""The SDK's public surface and its lock (``openapi/surface.lock``).

Names derived from Retool's summaries and tags move between releases (82 of 144 summaries
differ between 2.12.0 and 3.373.0), so they are derived once and then kept here:

- every operation, keyed by method + path with its parameter names blanked
  (``GET /users/{}``), keeps its operationId, namespace and method name, whatever its summary
  or tag says in a later release;
- every hoisted model keeps its name, keyed by the places it occurs in
  (``GET /folders/{} 409``): any one place still in the spec is enough;
- an ``operations:`` entry in ``openapi/fixes.yaml`` wins over the lock: a deliberate rename,
  reported as BREAKING by the changelog.

Beside the names, each operation records how a user calls it (``params``, ``returns``), read
from the generated facade after generation (:func:`read_facade`). Comparing the committed lock
with a fresh one is the user's side of the changelog (:func:`diff`), and the same data prints
``docs/api.md`` (:func:`render_api_reference`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HEADER = """\
# The public surface of retool-api-client, written by scripts/regenerate.py: review it like code.
# An operation listed here keeps its operationId, namespace and method on every regeneration,
# whatever its summary or tag says in a later release; a hoisted model keeps its name while any
# of the places it occurs in remains. To rename on purpose, add an `operations:` entry to
# openapi/fixes.yaml (the changelog reports it as BREAKING). Do not edit by hand.
"""

#: ``retool.<namespace>.<method>``: how a method-name collision among *new* operations is
#: settled, by HTTP method (PUT and PATCH /groups/{groupId} are both "Update group" in 2.12.0).
VERBS = {"get": "get", "put": "replace", "patch": "update", "post": "create", "delete": "delete"}


#: libyaml's loader where PyYAML has it (ten times faster on the lock; the same documents)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SurfaceError(Exception):
    """The lock and the spec (or fixes.yaml) disagree in a way no rule settles."""


_PARAM = re.compile(r"\{[^}/]*\}")


def op_key(method: str, path: str) -> str:
    """``GET /users/{}``: survives a renamed path parameter."""
    return method.upper() + " " + _PARAM.sub("{}", path)


@dataclass
class Operation:
    operation_id: str
    namespace: str
    method: str
    params: list[str] = field(default_factory=list)
    returns: str = ""

    @property
    def call(self) -> str:
        return f"retool.{self.namespace}.{self.method}"


@dataclass
class Lock:
    api_version: str = ""
    operations: dict[str, Operation] = field(default_factory=dict)
    models: dict[str, list[str]] = field(default_factory=dict)  # model name -> places

    @classmethod
    def load(cls, path: Path) -> Lock:
        if not path.exists():
            return cls()
        doc = yaml.load(path.read_text(), Loader=_LOADER) or {}
        ops = {}
        for key, entry in (doc.get("operations") or {}).items():
            namespace, _, method = str(entry["facade"]).partition(".")
            ops[key] = Operation(
                operation_id=entry["operation_id"],
                namespace=namespace,
                method=method,
                params=list(entry.get("params") or []),
                returns=entry.get("returns", ""),
            )
        return cls(str(doc.get("api_version", "")), ops, dict(doc.get("models") or {}))

    def model_for(self, places: list[str]) -> str | None:
        """The locked name of a model found at any of ``places``."""
        wanted = set(places)
        for name, locked in sorted(self.models.items()):
            if wanted & set(locked):
                return name
        return None

    def dump(self) -> str:
        doc = {
            "api_version": self.api_version,
            "operations": {
                key: {
                    "operation_id": op.operation_id,
                    "facade": f"{op.namespace}.{op.method}",
                    "params": op.params,
                    "returns": op.returns,
                }
                for key, op in sorted(self.operations.items())
            },
            "models": {name: sorted(places) for name, places in sorted(self.models.items())},
        }
        return HEADER + yaml.safe_dump(doc, sort_keys=False, width=100, allow_unicode=True)


# --------------------------------------------------------------------------- the facade, as users see it


@dataclass
class Method:
    name: str
    params: list[str]  # "user_id: str", then "*" and the keyword-only ones
    returns: str
    summary: str
    helper: bool = False
    #: what the items of a sequence argument look like: (argument, ["GroupMemberRef(id: str, ...)"])
    items: list[tuple[str, list[str]]] = field(default_factory=list)


def read_facade(package: Path, helpers: Path | None = None) -> dict[str, dict[str, Method]]:
    """``{namespace: {method: Method}}`` read from the generated facade's source (no import),
    with the hand-written helpers it inherits from ``helpers/<namespace>.py``."""
    found: dict[str, dict[str, Method]] = {}
    models = _ModelShapes(package / "models")
    for init in sorted((package / "api").glob("*/__init__.py")):
        for node in ast.parse(init.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Resource"):
                found[init.parent.name] = _methods(node)
                for method in found[init.parent.name].values():
                    method.items = models.items_of(method.params)
                mixin = helpers / f"{init.parent.name}.py" if helpers and node.bases else None
                if mixin is not None and mixin.exists():
                    for base in ast.parse(mixin.read_text()).body:
                        if isinstance(base, ast.ClassDef) and base.name.endswith("Helpers"):
                            found[init.parent.name].update(_methods(base, helper=True))
    return found


def _methods(node: ast.ClassDef, *, helper: bool = False) -> dict[str, Method]:
    return {
        f.name: _method(f, helper)
        for f in node.body
        if isinstance(f, ast.AsyncFunctionDef | ast.FunctionDef)
        and not f.name.startswith("_")
        and not any(_is_property(d) for d in f.decorator_list)
    }


def _is_property(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Name) and decorator.id == "property"


def _method(fn: ast.AsyncFunctionDef | ast.FunctionDef, helper: bool = False) -> Method:
    positional = fn.args.args[1:]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(fn.args.defaults))
    params = [_param(a, d) for a, d in zip(positional, defaults + fn.args.defaults, strict=True)]
    if fn.args.kwonlyargs:
        params.append("*")
        params += [_param(a, d) for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True)]
    doc = ast.get_docstring(fn) or ""
    returns = ast.unparse(fn.returns) if fn.returns else "None"
    summary = doc.split("\n\n")[0].replace("\n", " ").strip()
    if helper:  # its first sentence; a helper's types are its namespace's (``_U``: see render)
        summary = "Helper: " + summary.split(". ")[0].rstrip(".") + "."
    return Method(fn.name, params, returns, summary, helper)


def _param(arg: ast.arg, default: ast.expr | None) -> str:
    text = f"{arg.arg}: {ast.unparse(arg.annotation)}" if arg.annotation else arg.arg
    return f"{text} = {ast.unparse(default)}" if default is not None else text


_SEQUENCE_OF = re.compile(r"\b(?:Sequence|list|tuple)\[([^\]]*)")


class _ModelShapes:
    """The generated models' constructors, read from their source (``GroupMemberRef(id: str,
    is_group_admin: bool = False)``), for the items of sequence arguments."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._shapes: dict[str, str] | None = None

    def shapes(self) -> dict[str, str]:
        if self._shapes is None:
            self._shapes = {}
            for path in sorted(self.folder.glob("*.py")):
                for node in ast.parse(path.read_text()).body:
                    if isinstance(node, ast.ClassDef):
                        fields = [
                            _param(ast.arg(f.target.id, f.annotation), f.value)
                            for f in node.body
                            if isinstance(f, ast.AnnAssign)
                            and isinstance(f.target, ast.Name)
                            and f.target.id != "additional_properties"
                        ]
                        self._shapes[node.name] = f"{node.name}({', '.join(_plain(f) for f in fields)})"
        return self._shapes

    def items_of(self, params: list[str]) -> list[tuple[str, list[str]]]:
        out = []
        for param in params:
            name, _, annotation = param.partition(": ")
            found = [
                self.shapes()[member]
                for inner in _SEQUENCE_OF.findall(annotation)
                for member in inner.split(" | ")
                if member in self.shapes()
            ]
            if found:
                out.append((name, found))
        return out


# --------------------------------------------------------------------------- the user's changelog


@dataclass(frozen=True, order=True)
class Change:
    what: str  # "retool.users.get(...)"
    detail: str
    breaking: bool

    def line(self) -> str:
        return f"- {'BREAKING ' if self.breaking else ''}`{self.what}`: {self.detail}"


def _split(params: list[str]) -> tuple[list[tuple[str, str]], dict[str, tuple[str, bool]]]:
    """(positional [(name, type)], keyword {name: (type, required)})"""
    positional: list[tuple[str, str]] = []
    keyword: dict[str, tuple[str, bool]] = {}
    star = False
    for text in params:
        if text == "*":
            star = True
            continue
        head, has_default, _ = text.partition(" = ")
        name, _, kind = head.partition(": ")
        if star:
            keyword[name] = (kind, not has_default)
        else:
            positional.append((name, kind))
    return positional, keyword


def diff(old: Lock, new: Lock) -> list[Change]:
    """What changed for code calling ``retool.<namespace>.<method>``, operation by operation."""
    changes: list[Change] = []
    for key in sorted(new.operations.keys() - old.operations.keys()):
        op = new.operations[key]
        changes.append(Change(f"{op.call}()", f"added ({key})", False))
    for key in sorted(old.operations.keys() - new.operations.keys()):
        op = old.operations[key]
        changes.append(Change(f"{op.call}()", f"removed: Retool no longer has {key}", True))
    for key in sorted(old.operations.keys() & new.operations.keys()):
        before, after = old.operations[key], new.operations[key]
        here = f"{after.call}()"
        if before.call != after.call:
            moved = "moved and renamed" if before.namespace != after.namespace else "renamed"
            changes.append(Change(f"{before.call}()", f"{moved} to {after.call}() ({key})", True))
        if before.returns and after.returns and before.returns != after.returns:
            changes.append(Change(here, f"returns {after.returns} instead of {before.returns}", True))
        changes.extend(_param_changes(here, before.params, after.params))
    return changes


def _param_changes(here: str, before: list[str], after: list[str]) -> list[Change]:
    out: list[Change] = []
    old_pos, old_kw = _split(before)
    new_pos, new_kw = _split(after)
    if [t for _, t in old_pos] != [t for _, t in new_pos]:
        old_text = ", ".join(f"{n}: {t}" for n, t in old_pos)
        new_text = ", ".join(f"{n}: {t}" for n, t in new_pos)
        out.append(Change(here, f"positional arguments ({old_text}) are now ({new_text})", True))
    for name in sorted(new_kw.keys() - old_kw.keys()):
        kind, required = new_kw[name]
        out.append(Change(here, f"new {'required ' if required else ''}argument {name}: {kind}", required))
    for name in sorted(old_kw.keys() - new_kw.keys()):
        out.append(Change(here, f"argument {name} removed", True))
    for name in sorted(old_kw.keys() & new_kw.keys()):
        (old_kind, old_req), (new_kind, new_req) = old_kw[name], new_kw[name]
        if old_kind != new_kind:
            out.append(Change(here, f"argument {name} is now {new_kind} (was {old_kind})", True))
        if new_req and not old_req:
            out.append(Change(here, f"argument {name} is now required", True))
    return out


def helper_breaks(facade: dict[str, dict[str, Method]], helpers: Path, version: str) -> list[Change]:
    """Hand-written helpers (``retool_api_client/helpers/<namespace>.py``) that call a generated
    method this release lacks, or pass it a keyword it no longer takes. A helper module says what
    it calls in the ``Protocol`` its methods take as ``self`` (``_Users``:
    ``list(self, *, email=...)``); each helper is checked for the methods it calls on ``self``."""
    changes: list[Change] = []
    for module in sorted(helpers.glob("*.py")):
        namespace = module.stem
        tree = ast.parse(module.read_text())
        classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        mixin = classes.get("".join(w.title() for w in namespace.split("_")) + "Helpers")
        if mixin is None or namespace not in facade:
            continue
        generated = {name: m for name, m in facade[namespace].items() if not m.helper}
        for helper in mixin.body:
            if not isinstance(helper, ast.FunctionDef | ast.AsyncFunctionDef) or not helper.args.args:
                continue
            annotation = helper.args.args[0].annotation
            protocol = classes.get(ast.unparse(annotation).split("[")[0]) if annotation else None
            if protocol is None:
                continue
            needs = {
                f.name: [a.arg for a in f.args.kwonlyargs]
                for f in protocol.body
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            }
            called = {
                node.func.attr
                for node in ast.walk(helper)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "self"
            }
            for name in sorted(called & needs.keys()):
                here = f"retool.{namespace}.{helper.name}()"
                if name not in generated:
                    changes.append(
                        Change(
                            here, f"calls retool.{namespace}.{name}(), which Retool API {version} lacks", True
                        )
                    )
                    continue
                taken = {p.partition(":")[0].partition(" = ")[0] for p in generated[name].params}
                missing = [k for k in needs[name] if k not in taken]
                if missing:
                    args = ", ".join(f"{k}=..." for k in missing)
                    detail = (
                        f"calls retool.{namespace}.{name}({args}), which Retool API {version} does not take"
                    )
                    changes.append(Change(here, detail, True))
    return changes


def render_changes(changes: list[Change]) -> list[str]:
    if not changes:
        return ["No change to the methods you call.", ""]
    breaking = sum(c.breaking for c in changes)
    return [
        f"{len(changes)} changes to the methods you call, {breaking} breaking.",
        "",
        *(c.line() for c in sorted(changes, key=lambda c: (not c.breaking, c.what, c.detail))),
        "",
    ]


# --------------------------------------------------------------------------- docs/api.md


def _plain(annotation: str) -> str:
    return annotation.replace(" | Unset", "").replace("Unset | ", "")


def render_api_reference(
    lock: Lock,
    facade: dict[str, dict[str, Method]],
    endpoints: dict[str, str],
    titles: dict[str, str],
    models: list[str],
) -> str:
    """``docs/api.md``: every namespace and method with its endpoint, parameters, return type
    and summary, then the models. ``endpoints`` maps an operation key to ``METHOD /path``."""
    by_call = {(op.namespace, op.method): key for key, op in lock.operations.items()}
    lines = [
        f"# API reference (Retool API {lock.api_version})",
        "",
        "Generated by `scripts/regenerate.py` with the code; do not edit. Every method is a coroutine",
        "on a `RetoolClient` (`await retool.users.get(...)`), except those returning `AsyncPaginator`,",
        "which you iterate with `async for`. Arguments shown `= UNSET` may be left out. Models are",
        "importable from `retool_api_client.generated.models`. A method returning `Any` answers with",
        "JSON the spec gives no schema: you get it decoded, as Retool sent it (envelope included).",
        "",
        "Namespaces: " + ", ".join(f"[`retool.{ns}`](#retool{ns.replace('_', '')})" for ns in sorted(facade)),
        "",
    ]
    for namespace in sorted(facade):
        lines += [f"## retool.{namespace}", "", titles.get(namespace, ""), ""]
        lines += ["| Method | Endpoint | Summary |", "| --- | --- | --- |"]
        methods = facade[namespace]
        for name in sorted(methods):
            key = by_call.get((namespace, name)) or by_call.get((namespace, name.removesuffix("_from")))
            endpoint = f"`{endpoints[key]}`" if key else ""
            summary = methods[name].summary.replace("|", "\\|")
            lines.append(f"| [`{name}`](#retool{namespace.replace('_', '')}{name.replace('_', '')}) "
                         f"| {endpoint} | {summary} |")  # fmt: skip
        lines.append("")
        model = _plain(methods["get"].returns) if "get" in methods else "Any"
        for name in sorted(methods):
            m = methods[name]
            key = by_call.get((namespace, name)) or by_call.get((namespace, name.removesuffix("_from")))
            params = ", ".join(_plain(p) for p in m.params)
            returns = re.sub(r"\b_[A-Z]\b", model, _plain(m.returns)) if m.helper else _plain(m.returns)
            lines += [f"### retool.{namespace}.{name}", ""]
            if key:
                lines += [f"`{endpoints[key]}` (operationId `{lock.operations[key].operation_id}`)", ""]
            lines += ["```python", f"retool.{namespace}.{name}({params}) -> {returns}", "```", ""]
            for argument, shapes in m.items:
                lines += [
                    f"Items of `{argument}`: "
                    + ", ".join(f"`{shape}`" for shape in shapes)
                    + ", or a mapping of those fields under their JSON names.",
                    "",
                ]
            if m.summary:
                lines += [m.summary, ""]
    lines += ["## Models", "", f"{len(models)} models, in `retool_api_client.generated.models`:", ""]
    lines += [", ".join(f"`{m}`" for m in models), ""]
    return "\n".join(lines).rstrip() + "\n"


def endpoint_table(spec: Any) -> dict[str, str]:
    """Operation key -> ``METHOD /path`` as the spec writes it."""
    from .normalize import operations

    return {op_key(method, path): f"{method.upper()} {path}" for path, method, _ in operations(spec)}
