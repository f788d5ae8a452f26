"""The strict JSON reader (``supplychain.jsonlimits``) and the capped file reader
(``supplychain.files.read_input_file``): every limit, every class of bad input, and special
files refused without hanging."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import BundleError, InputFileError, MalformedInput
from supplychain.files import read_input_file
from supplychain.jsonlimits import (
    DEFAULT_MAX_DEPTH,
    MAX_FLOAT_CHARS,
    MAX_INT_DIGITS,
    load_json,
    too_deep,
)

LIMIT = 1 << 20


def load(data: bytes | str, **kw: Any) -> Any:
    return load_json(data, max_bytes=kw.pop("max_bytes", LIMIT), **kw)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nest(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


# --- the reader -----------------------------------------------------------------------------
def test_plain_documents_are_read() -> None:
    assert load(b'{"a": [1, -2, 3.5, "x", null, true]}') == {"a": [1, -2, 3.5, "x", None, True]}
    assert load('"text"') == "text"
    assert load(b"\xef\xbb\xbf[1]") == [1]  # a UTF-8 byte-order mark is tolerated


@pytest.mark.parametrize(("data", "phrase"), [
    (nest(DEFAULT_MAX_DEPTH + 1), "too deeply"),
    (b"[" * 500_000, "too deeply"),  # nested and truncated
    (b'{"a":' * 100_000, "too deeply"),
    (b"[" * (DEFAULT_MAX_DEPTH + 1), "too deeply"),
    (b"[1, 2", "not valid JSON"),  # truncated
    (b"", "not valid JSON"),
    (b"[1] [2]", "not valid JSON"),  # garbage left over
    (b"\xff\xfe[]", "not UTF-8"),
    (b'"\xed\xa0\x80"', "not UTF-8"),  # an encoded lone surrogate
    (b"1" * (MAX_INT_DIGITS + 1), "integer of 21 digits"),
    (b"[" + b"9" * 100_000 + b"]", "integer of 100,000 digits"),
    (b"-" + b"1" * (MAX_INT_DIGITS + 1), "integer of 21 digits"),
    (b"0." + b"1" * MAX_FLOAT_CHARS, "number written with"),
    (b"1e999999", "out of range"),
    (b"[NaN]", "not a JSON number"),
    (b"-Infinity", "not a JSON number"),
    (b'{"a": 1, "a": 2}', "names the key 'a' twice"),
], ids=lambda v: v[:24].decode("latin-1") if isinstance(v, bytes) else None)
def test_malformed_documents_are_refused_plainly(data: bytes, phrase: str) -> None:
    with pytest.raises(MalformedInput, match=phrase):
        load(data)


def test_limits_are_exact() -> None:
    assert load(nest(DEFAULT_MAX_DEPTH)) is not None
    assert load(nest(5), max_depth=5) == [[[[[]]]]]
    with pytest.raises(MalformedInput, match="too deeply"):
        load(nest(6), max_depth=5)
    assert load(b"9" * MAX_INT_DIGITS) == int("9" * MAX_INT_DIGITS)
    assert load(b"[1]  ", max_bytes=5) == [1]
    with pytest.raises(MalformedInput, match="of 6 bytes exceeds 5"):
        load(b"[1]   ", max_bytes=5)


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[[[[[[[[[[{{{{{{{{", "b": ["\\\"[[[[[", "]]]]\\"]})
    assert load(text, max_depth=2) == json.loads(text)


def test_the_callers_error_class_is_raised() -> None:
    with pytest.raises(BundleError, match="Bundle x nests"):
        load(nest(40), what="Bundle x", error=BundleError)


def test_nesting_is_measured_quickly() -> None:
    # 8 MB of brackets inside strings, escapes and pairs: linear passes, not a parse.
    mixed = (b'["]]]\\"[[", [], {"a": [[]]}],' * 300_000)[:-1]
    assert not too_deep(b"[" + mixed + b"]", DEFAULT_MAX_DEPTH)
    assert too_deep(b"[" * 17 + mixed + b"]" * 17, DEFAULT_MAX_DEPTH)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**19, 10**19) | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                               max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_property_any_json_reads_back_or_is_refused_for_depth(value: Any) -> None:
    data = json.dumps(value).encode()
    limit = 3
    if depth(value) > limit:
        with pytest.raises(MalformedInput, match="too deeply"):
            load(data, max_depth=limit)
    else:
        assert load(data, max_depth=limit) == value
    assert too_deep(data, limit) == (depth(value) > limit)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(alphabet='[]{}"\\,:01ae \n', max_size=200))
def test_property_random_bytes_only_ever_give_malformed_input(data: bytes | str) -> None:
    try:
        load(data, max_depth=4)
    except MalformedInput:
        pass


# --- the file reader ------------------------------------------------------------------------
def test_a_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"[1]")
    assert read_input_file(path, 3) == b"[1]"
    with pytest.raises(InputFileError, match="is 3 bytes; at most 2"):
        read_input_file(path, 2)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="Cannot read bundle .*No such file"):
        read_input_file(tmp_path / "nope", 10, what="bundle")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="is a folder, not a bundle"):
        read_input_file(tmp_path, 10, what="bundle", error=BundleError)


def test_dev_zero_is_refused_unread() -> None:
    with pytest.raises(InputFileError, match="is a device"):
        read_input_file("/dev/zero", 10)


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    # A thread, so that a regression would fail the test instead of hanging the run.
    worker = threading.Thread(target=lambda: _capture(outcome, fifo), daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock the reader, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a named pipe blocked")
    assert isinstance(outcome[0], InputFileError) and "named pipe" in str(outcome[0])


def _capture(outcome: list[BaseException], path: Path) -> None:
    try:
        read_input_file(path, 10)
    except BaseException as exc:  # noqa: BLE001 - handed to the test thread
        outcome.append(exc)


def test_a_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge"
    with path.open("wb") as f:
        f.truncate(10 * 1024**3)  # sparse: no disk used
    with pytest.raises(InputFileError, match="at most 1,024 are read"):
        read_input_file(path, 1024)
