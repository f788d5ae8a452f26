"""Tests for supplychain.codes.keyboard_layouts: a wedge scanner on the wrong layout."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supplychain.codes.gs1 import GS
from supplychain.codes.keyboard_layouts import (
    LAYOUT_MIXUPS,
    Layout,
    LayoutMixup,
    mistype,
    retypings,
)
from tests.test_wedge import CSET82

URL_CHARS = ":/?=&%"


@pytest.mark.parametrize(("mixup", "meant", "received"), [
    (LayoutMixup(Layout.DE, Layout.US), "Y2GNX9ZR", "Z2GNX9YR"),
    (LayoutMixup(Layout.US, Layout.DE), "https://a.b/01/x?y=1", "httpsÖ--a.b-01-x_z´1"),
    (LayoutMixup(Layout.FR, Layout.US), "0123456789", ")!@#$%^&*("),
    (LayoutMixup(Layout.US, Layout.FR), "0123AQZWm", "à&é\"QAWZ,"),
])
def test_known_mixups(mixup: LayoutMixup, meant: str, received: str) -> None:
    assert mistype(meant, mixup) == received
    assert meant in retypings(received, mixup)


@pytest.mark.parametrize("mixup", LAYOUT_MIXUPS, ids=str)
def test_gs_passes_unchanged(mixup: LayoutMixup) -> None:
    assert mistype(GS, mixup) == GS
    assert list(retypings(GS, mixup)) == [GS]


@given(text=st.text(alphabet=CSET82 + URL_CHARS + GS, max_size=60),
       mixup=st.sampled_from(LAYOUT_MIXUPS))
def test_retypings_undo_mistype(text: str, mixup: LayoutMixup) -> None:
    assert text in retypings(mistype(text, mixup), mixup)
