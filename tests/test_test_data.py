"""The outside test data is part of the project: missing data fails here, it never skips."""

from __future__ import annotations

from tests.conftest import TEST_DATA


def test_every_outside_data_folder_is_present_with_its_source_note() -> None:
    for folder in ("barcodes", "epcis", "merkle"):
        assert (TEST_DATA / folder / "README.md").is_file(), f"tests/data/{folder} is missing"


def test_the_real_barcode_set_is_complete() -> None:
    images = [p for p in (TEST_DATA / "barcodes").glob("*/*") if p.suffix not in {".txt", ".md"}]
    texts = list((TEST_DATA / "barcodes").glob("*/*.txt"))
    assert len(images) == 119
    assert len(texts) == 119


def test_the_epcis_schema_and_examples_are_present() -> None:
    assert (TEST_DATA / "epcis" / "EPCIS-JSON-Schema.json").is_file()
    assert len(list((TEST_DATA / "epcis").glob("Example_*.jsonld"))) == 4


def test_the_rfc6962_vectors_are_present() -> None:
    assert (TEST_DATA / "merkle" / "rfc6962-vectors.json").is_file()
