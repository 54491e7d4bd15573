"""What every answer the SDK hands on is: an ``httpx.Response`` with a strict ``.json()``.

:class:`Answer` is ``httpx.Response`` with three differences:

* ``.json()`` decodes strictly (``_parsing.decode_json``: no ``RecursionError``, no
  ``inf``/``NaN``), since ``_request.parse`` calls it;
* ``request`` may be built on first use, from a ``describe`` callable (the lane builds no
  ``httpx.Request`` for an answer that never needs one);
* :meth:`Answer.from_head` makes one from what the aiohttp pool received without running
  ``httpx.Response.__init__``: ``headers`` become ``httpx.Headers`` on first use (most answers
  are parsed without anyone reading them). That is 0.5 us against 2.4 us for httpx's
  constructor with two headers, more with a real server's ten: 17,700 instructions less per
  request (callgrind; 3% of a loopback request; docs/benchmarks.md, 2026-12-03, evening). It
  couples the SDK to which attributes httpx's constructor sets for a streamed answer;
  ``tests/test_http.py`` holds the two to the same set, so an httpx upgrade that adds one fails
  there first.

Answers httpx built itself (through ``send()``) become this class in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx

from ._parsing import decode_json

__all__ = ["Answer"]

_RESPONSE_REQUEST: Any = httpx.Response.request  # httpx's property, which the override wraps


class Answer(httpx.Response):
    """``httpx.Response`` with a strict ``.json()``, a ``request`` built on first use and
    headers parsed on first use (see the module docstring)."""

    _describe: Callable[[], httpx.Request] | None = None
    _raw_headers: Sequence[tuple[bytes, bytes]] = ()

    @classmethod
    def from_head(
        cls,
        status_code: int,
        raw_headers: Sequence[tuple[bytes, bytes]],
        stream: httpx.AsyncByteStream,
        extensions: dict[str, Any],
        describe: Callable[[], httpx.Request] | None = None,
    ) -> Answer:
        """An answer whose body is still to be read from ``stream``, as
        ``httpx.Response(status_code, headers=raw_headers, stream=stream, extensions=...)``."""
        answer = cls.__new__(cls)
        answer.status_code = status_code
        answer._raw_headers = raw_headers
        answer._request = None
        answer._describe = describe
        answer.next_request = None
        answer.extensions = extensions
        answer.history = []
        answer.is_closed = False
        answer.is_stream_consumed = False
        answer.default_encoding = "utf-8"
        answer.stream = stream
        answer._num_bytes_downloaded = 0
        return answer

    @property
    def headers(self) -> httpx.Headers:
        headers: httpx.Headers | None = self.__dict__.get("headers")
        if headers is None:
            headers = self.__dict__["headers"] = httpx.Headers(self._raw_headers)
        return headers

    @headers.setter
    def headers(self, value: httpx.Headers) -> None:
        self.__dict__["headers"] = value

    @property
    def request(self) -> httpx.Request:
        if self._describe is not None:
            self.request = self._describe()
        return _RESPONSE_REQUEST.__get__(self)  # type: ignore[no-any-return]

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._describe = None
        _RESPONSE_REQUEST.__set__(self, value)

    def json(self, **kwargs: Any) -> Any:
        return super().json(**kwargs) if kwargs else decode_json(self.content)
