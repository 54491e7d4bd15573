"""Async Python SDK for the Retool API.

Everything public is importable from here; names are loaded on first use so that
``import retool_api_client`` stays cheap (see ``make bench``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .generated import api as _api  # noqa: F401  (hands the core its tables: _tables.py)
from .generated._meta import API_VERSION as __api_version__

if TYPE_CHECKING:
    from ._bulk import BulkFailed, BulkResult, BulkSucceeded
    from ._drift import DriftReport, OperationDrift, ServerSpecError
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        InternalServerError,
        NotFoundError,
        PatchError,
        PermissionDeniedError,
        RateLimiterError,
        RateLimitError,
        RequestValidationError,
        RequestView,
        ResponseView,
        RetoolError,
        UnprocessableEntityError,
        URLView,
    )
    from ._pagination import AsyncPaginator, Page, PaginationError
    from ._ratelimit import RateLimit
    from ._retry import RequestEvent, ResponseEvent, RetryEvent
    from ._retry_policy import RetryConfig
    from ._types import UNSET, Unset
    from .generated.client import RetoolClient
    from .patch import JsonPatch, diff

_LAZY = {
    "DriftReport": "._drift",
    "OperationDrift": "._drift",
    "ServerSpecError": "._drift",
    "AsyncPaginator": "._pagination",
    "Page": "._pagination",
    "PaginationError": "._pagination",
    "JsonPatch": ".patch",
    "diff": ".patch",
    "PatchError": "._exceptions",
    "RetoolClient": ".generated.client",
    "RetryConfig": "._retry_policy",
    "RateLimit": "._ratelimit",
    "BulkResult": "._bulk",
    "BulkSucceeded": "._bulk",
    "BulkFailed": "._bulk",
    "RetryEvent": "._retry",
    "RequestEvent": "._retry",
    "ResponseEvent": "._retry",
    "APIConnectionError": "._exceptions",
    "APIError": "._exceptions",
    "APIResponseValidationError": "._exceptions",
    "APIStatusError": "._exceptions",
    "APITimeoutError": "._exceptions",
    "AuthenticationError": "._exceptions",
    "BadRequestError": "._exceptions",
    "ConfigurationError": "._exceptions",
    "ConflictError": "._exceptions",
    "InternalServerError": "._exceptions",
    "NotFoundError": "._exceptions",
    "PermissionDeniedError": "._exceptions",
    "RateLimitError": "._exceptions",
    "RateLimiterError": "._exceptions",
    "RequestValidationError": "._exceptions",
    "RetoolError": "._exceptions",
    "UnprocessableEntityError": "._exceptions",
    "RequestView": "._exceptions",
    "ResponseView": "._exceptions",
    "URLView": "._exceptions",
    "UNSET": "._types",
    "Unset": "._types",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "BulkFailed",
    "BulkResult",
    "BulkSucceeded",
    "ConfigurationError",
    "ConflictError",
    "DriftReport",
    "InternalServerError",
    "JsonPatch",
    "NotFoundError",
    "OperationDrift",
    "Page",
    "PaginationError",
    "PatchError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimiterError",
    "RequestEvent",
    "RequestValidationError",
    "RequestView",
    "ResponseEvent",
    "ResponseView",
    "RetoolClient",
    "RetoolError",
    "RetryConfig",
    "RetryEvent",
    "ServerSpecError",
    "UNSET",
    "URLView",
    "UnprocessableEntityError",
    "Unset",
    "__api_version__",
    "__version__",
    "diff",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
