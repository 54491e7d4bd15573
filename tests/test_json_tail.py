"""The backwards reader of a JSON object's trailing members, checked against ``json.loads``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retool_api_client._json_tail import trailing_scalars

# strings full of what can confuse a backwards scan: quotes, backslashes, braces, colons
tricky_text = st.text(alphabet=st.sampled_from('"\\}{[]:, \t\nab~\u00e9\u2028\U0001f600'), max_size=8)
keys = st.one_of(tricky_text, st.sampled_from(["next_token", "has_more", "total_count", "data"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    tricky_text,
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3)
)
dumps_options = st.fixed_dictionaries(
    {
        "ensure_ascii": st.booleans(),
        "indent": st.none() | st.integers(min_value=0, max_value=2),
        "separators": st.sampled_from([None, (",", ":"), (" , ", " : ")]),
        "sort_keys": st.booleans(),
    }
)


def typed(value: Any) -> tuple[str, Any]:
    """Equality that tells 1, 1.0 and True apart."""
    return type(value).__name__, value


@settings(max_examples=400)
@given(document=st.dictionaries(keys, values, max_size=6), options=dumps_options)
def test_reads_exactly_the_trailing_scalars_json_loads_would(document: dict[str, Any], options: Any) -> None:
    body = json.dumps(document, **options).encode()
    members = sorted(document.items()) if options["sort_keys"] else list(document.items())
    expected: dict[str, Any] = {}
    for key, value in reversed(members):
        if isinstance(value, list | dict):
            break
        expected[key] = value
    found = trailing_scalars(body)
    assert {k: typed(v) for k, v in found.items()} == {k: typed(v) for k, v in expected.items()}
    assert list(found) == list(expected)  # read from the end


@settings(max_examples=200)
@given(document=st.dictionaries(keys, values, max_size=6), wanted=st.frozensets(keys, max_size=3))
def test_stops_once_the_wanted_keys_are_found_and_stays_exact(
    document: dict[str, Any], wanted: frozenset[str]
) -> None:
    body = json.dumps(document).encode()
    everything = list(trailing_scalars(body).items())
    read = next((n for n in range(len(everything) + 1) if wanted <= {k for k, _ in everything[:n]}), None)
    # the same members in the same order, up to the one that completes the wanted set
    expected = dict(everything if read is None else everything[:read])
    assert [(k, typed(v)) for k, v in trailing_scalars(body, wanted).items()] == [
        (k, typed(v)) for k, v in expected.items()
    ]


@settings(max_examples=300)
@given(raw=st.binary(max_size=60) | st.text(alphabet='{}[]":,\\ 01tx', max_size=40).map(str.encode))
def test_never_raises_on_garbage(raw: bytes) -> None:
    result = trailing_scalars(raw)
    assert isinstance(result, dict)
    try:
        decoded = json.loads(raw)
    except ValueError:
        return
    if isinstance(decoded, dict):  # valid after all: then exact
        assert all(typed(decoded[k]) == typed(v) for k, v in result.items())


def test_retool_list_envelope() -> None:
    body = json.dumps(
        {
            "success": True,
            "data": [{"id": "u1", "next_token": "decoy", "has_more": False}],
            "total_count": 2,
            "next_token": 'a"b\\',
            "has_more": True,
        }
    ).encode()
    assert trailing_scalars(body) == {"has_more": True, "next_token": 'a"b\\', "total_count": 2}


def test_a_repeated_key_keeps_its_last_value_like_json_loads() -> None:
    body = b'{"data": [], "next_token": "old", "has_more": true, "next_token": "new"}'
    assert json.loads(body)["next_token"] == "new"
    assert trailing_scalars(body)["next_token"] == "new"


def test_escaped_keys_are_decoded() -> None:
    assert trailing_scalars(b'{"data": [], "next\\u005ftoken": "t"}') == {"next_token": "t"}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"}",
        b"[1, 2]",
        b'"a": 1}',  # no opening brace
        b'{"a" 1}',  # no colon
        b"{a: 1}",  # unquoted key
        b'{"data": [1, 2, "has_more": true}',  # a value where a key belongs
        b'{"data": [1, 2], "next_token": "t',  # truncated
        b"<html>502 Bad Gateway</html>",
        b'{"a": 1 "b": 2}',  # missing comma
        b'{"a": "\xff"}',  # not UTF-8
        b'{"\xff": 1}',
        b'x{"a": 1}',
    ],
)
def test_malformed_bodies_give_nothing_so_the_caller_decodes_and_reports(body: bytes) -> None:
    assert trailing_scalars(body) == {}


def test_an_object_of_scalars_is_read_whole_and_empty_objects_give_nothing() -> None:
    assert trailing_scalars(b' { "a" : 1 , "b" : [ ] , "c" : null } ') == {"c": None}
    assert trailing_scalars(b'{"a": 1, "b": -2.5e3}') == {"b": -2500.0, "a": 1}
    assert trailing_scalars(b"{}") == {}
    assert trailing_scalars(b'{"data": {}}') == {}
