"""`supplychain scan` and `supplychain labels`: real images, our own labels, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from supplychain.cli.main import main
from supplychain.codes.gs1 import parse_pack_code
from supplychain.codes.labels import write_qr_png
from supplychain.demo.network import DEMO_PASSPHRASE, Demo, create_demo
from supplychain.identity.certificates import Role
from tests.conftest import TEST_DATA

BARCODES = TEST_DATA / "barcodes"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_demo(tmp_path_factory.mktemp("scan-demo") / "demo").directory


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Demo:
    shutil.copytree(demo_template, tmp_path / "demo")
    return Demo.load(tmp_path / "demo")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("SUPPLYCHAIN_PASSPHRASE", DEMO_PASSPHRASE.decode())

    def run(*args: str | Path) -> tuple[int, object, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        try:
            return code, json.loads(out), err
        except ValueError:
            return code, out, err

    return run


def test_scan_real_gs1_datamatrix_gives_exact_text_and_pack(cli) -> None:
    image = BARCODES / "datamatrix-4" / "gs1-figure-4.15.1-2-44x20.png"
    expected = image.with_suffix(".txt").read_bytes().decode("utf-8")
    code, data, _ = cli("scan", "--json", image)
    assert code == 0
    (found,) = data[0]["codes"]
    assert found["text"] == expected
    assert found["pack"]["gtin"] == "09504000059101"
    assert found["pack"]["lot"] == "1234567p"
    assert len(found["position"]) == 4


def test_scan_a_real_folder_never_gives_a_wrong_text(cli) -> None:
    code, data, _ = cli("scan", "--json", BARCODES / "qrcode-1")
    assert code == 0
    read = 0
    for item in data:
        expected = Path(item["path"]).with_suffix(".txt").read_bytes().decode("utf-8")
        texts = [c["text"] for c in item["codes"]]
        if texts:
            read += 1
            assert expected in texts
    assert read >= len(data) // 2


def test_our_label_scans_and_verifies_at_the_pharmacy(cli, demo: Demo, tmp_path: Path) -> None:
    png = tmp_path / "label.png"
    write_qr_png(demo.samples["genuine"], png)
    code, data, _ = cli("--home", demo.node(Role.PHARMACY).home, "scan", "--json", "--verify",
                        png)
    assert code == 0
    (found,) = data[0]["codes"]
    assert found["text"] == demo.samples["genuine"]
    assert found["verdict"]["verdict"] == "genuine"


def _photographed(png: Path, out: Path) -> None:
    """Rotate, warp, blur and add noise, like a phone photo of the label."""
    img = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    img = cv2.copyMakeBorder(img, 80, 80, 80, 80, cv2.BORDER_CONSTANT, value=255)
    h, w = img.shape
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 17, 1.0)
    img = cv2.warpAffine(img, rot, (w, h), borderValue=255)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[30, 10], [w - 5, 40], [w - 40, h - 5], [10, h - 30]])
    img = cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h),
                              borderValue=255)
    img = cv2.GaussianBlur(img, (3, 3), 0)
    noise = np.random.default_rng(7).normal(0, 12, img.shape)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    cv2.imwrite(str(out), img, [cv2.IMWRITE_JPEG_QUALITY, 80])


def test_photographed_signed_label_verifies(cli, demo: Demo, tmp_path: Path) -> None:
    maker = demo.node(Role.MANUFACTURER).home
    code, data, _ = cli("--home", maker, "commission", "--json", "--gtin", "05012345000015",
                        "--lot", "PH1", "--expiry", "2029-03-31", "--count", "1", "--signed")
    (uri,) = data["codes"]
    assert "&sig=" in uri
    write_qr_png(uri, tmp_path / "label.png")
    _photographed(tmp_path / "label.png", tmp_path / "photo.jpg")
    code, data, _ = cli("--home", maker, "scan", "--json", "--verify", tmp_path / "photo.jpg")
    (found,) = data[0]["codes"]
    assert found["text"] == uri
    assert found["verdict"]["verdict"] == "genuine"
    assert any("signature" in n for n in found["verdict"]["notes"])


def test_forged_signature_is_counterfeit(cli, demo: Demo) -> None:
    maker = demo.node(Role.MANUFACTURER).home
    _, data, _ = cli("--home", maker, "commission", "--json", "--gtin", "05012345000015",
                     "--lot", "SG1", "--expiry", "2029-03-31", "--count", "1", "--signed")
    uri = data["codes"][0]
    sig_at = uri.index("sig=") + 4
    forged = uri[:sig_at] + ("A" if uri[sig_at] != "A" else "B") + uri[sig_at + 1:]
    code, data, _ = cli("--home", maker, "verify", "--json", forged)
    assert data["verdict"] == "counterfeit" and "invalid_signature" in data["reasons"]
    # The same pack with its code made up (no signature) is still judged by the ledger alone.
    plain = parse_pack_code(uri).to_digital_link()
    assert cli("--home", maker, "verify", "--json", plain)[1]["verdict"] == "genuine"


def test_labels_command_writes_a_pdf(cli, demo: Demo, tmp_path: Path) -> None:
    maker = demo.node(Role.MANUFACTURER).home
    out = tmp_path / "sheet.pdf"
    code, data, _ = cli("--home", maker, "labels", "--json", "--gtin", "05012345000015",
                        "--lot", "A2401", "--out", out)
    assert code == 0 and data["labels"] == 12 and data["pages"] == 1
    assert out.read_bytes().startswith(b"%PDF")
    code, _, err = cli("--home", maker, "labels", "--gtin", "05012345000015", "--lot", "NOPE",
                       "--out", out)
    assert code == 1 and "No commissioned packs" in err


def _pdf_page_png(pdf: Path, png: Path) -> Path:
    """The PDF's first page rendered at 300 dpi, as a printer would put it on paper."""
    import pypdfium2 as pdfium  # a test dependency: the PDF rasteriser

    document = pdfium.PdfDocument(str(pdf))
    try:
        document[0].render(scale=300 / 72).to_pil().convert("L").save(png)
    finally:
        document.close()
    return png


def test_labels_print_gs1_datamatrix_by_default(cli, demo: Demo, tmp_path: Path) -> None:
    maker = demo.node(Role.MANUFACTURER).home
    out = tmp_path / "sheet.pdf"
    code, data, _ = cli("--home", maker, "labels", "--json", "--gtin", "05012345000015",
                        "--lot", "A2401", "--out", out)
    assert code == 0 and data["symbol"] == "datamatrix" and data["labels"] == 12
    code, data, _ = cli("scan", "--json", _pdf_page_png(out, tmp_path / "sheet.png"))
    codes = data[0]["codes"]
    assert len(codes) == 12 and {c["symbology"] for c in codes} == {"datamatrix"}
    assert all(c["text"].startswith("0105012345000015") and "\x1d21" in c["text"]
               for c in codes)
    assert {(c["pack"]["gtin"], c["pack"]["lot"]) for c in codes} == {("05012345000015",
                                                                       "A2401")}
    code, data, _ = cli("--home", maker, "labels", "--json", "--gtin", "05012345000015",
                        "--lot", "A2401", "--out", out, "--symbol", "qr")
    assert code == 0 and data["symbol"] == "qr"
    _, data, _ = cli("scan", "--json", _pdf_page_png(out, tmp_path / "sheet-qr.png"))
    assert {c["symbology"] for c in data[0]["codes"]} == {"qr"}
    assert all(c["text"].startswith("https://id.gs1.org/01/") for c in data[0]["codes"])


def test_signed_datamatrix_label_verifies_and_a_forged_one_is_counterfeit(
    cli, demo: Demo, tmp_path: Path
) -> None:
    maker = demo.node(Role.MANUFACTURER).home
    cli("--home", maker, "commission", "--json", "--gtin", "05012345000015", "--lot", "DM1",
        "--expiry", "2029-03-31", "--count", "2")
    out = tmp_path / "signed.pdf"
    code, _, _ = cli("--home", maker, "labels", "--json", "--gtin", "05012345000015", "--lot",
                     "DM1", "--out", out, "--signed")
    assert code == 0
    code, data, _ = cli("--home", maker, "scan", "--json", "--verify",
                        _pdf_page_png(out, tmp_path / "signed.png"))
    codes = data[0]["codes"]
    assert len(codes) == 2
    for found in codes:
        assert found["symbology"] == "datamatrix" and "\x1d8030" in found["text"]
        assert found["verdict"]["verdict"] == "genuine"
        assert any("signature" in n for n in found["verdict"]["notes"])
    text = codes[0]["text"]
    at = text.index("\x1d8030") + 5
    forged = text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]
    _, data, _ = cli("--home", maker, "verify", "--json", forged)
    assert data["verdict"] == "counterfeit" and "invalid_signature" in data["reasons"]


def test_case_labels_for_ssccs(cli, tmp_path: Path) -> None:
    out = tmp_path / "cases.pdf"
    code, data, _ = cli("labels", "--json", "--sscc", "050123450000000015", "--sscc",
                        "(00)150123450000000012", "--out", out, "--title", "Acme Pharma")
    assert code == 0 and data["labels"] == data["pages"] == 2
    assert data["sscc"] == ["050123450000000015", "150123450000000012"]
    _, data, _ = cli("scan", "--json", _pdf_page_png(out, tmp_path / "case.png"))
    (qr,) = data[0]["codes"]  # `scan` reads the 2D code; the GS1-128 is for dock scanners
    assert qr["text"] == "https://id.gs1.org/00/050123450000000015"
    code, _, err = cli("labels", "--sscc", "050123450000000016", "--out", out)
    assert code == 1 and "check) digit should be 5" in err
    code, _, err = cli("labels", "--sscc", "050123450000000015", "--gtin", "05012345000015",
                       "--out", out)
    assert code == 1 and "--sscc prints case and pallet labels" in err
    code, _, err = cli("labels", "--out", out)
    assert code == 1 and "Say which labels to print" in err


NON_PHARMA = {
    "link.png": ("https://example.com/promo", "web link"),
    "wifi.png": ("WIFI:T:WPA;S:ClinicGuest;P:secret;;", "Wi-Fi"),
    "text.png": ("Hello pharmacist", "plain text"),
    "check.png": ("https://id.gs1.org/01/05012345000016/21/ABC", "(check) digit"),
    "date.png": ("]Q3010501234500001517261340" + "21ABC", "date"),
    "truncated.png": ("0105012345000015211", None),
}


@pytest.mark.parametrize("name", sorted(NON_PHARMA))
def test_non_pharma_and_damaged_codes_get_their_own_message(cli, tmp_path: Path,
                                                            name: str) -> None:
    text, phrase = NON_PHARMA[name]
    write_qr_png(text, tmp_path / name)
    code, data, _ = cli("scan", "--json", tmp_path / name)
    assert code == 0
    (found,) = data[0]["codes"]
    assert found["text"] == text
    if name == "truncated.png":
        # "211" is a complete (if short) serial: a valid pack code, not an error.
        assert found["pack"]["serial"] == "1"
        return
    assert found["pack"] is None
    assert phrase.lower() in found["error"].lower()


def test_bad_files_each_get_a_clear_message(cli, tmp_path: Path) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg" * 10)
    Image.new("L", (12000, 12000), 255).save(tmp_path / "huge.png")
    writer = cv2.VideoWriter(str(tmp_path / "blank.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 10,
                             (320, 240), False)
    for _ in range(15):
        writer.write(np.full((240, 320), 255, np.uint8))
    writer.release()
    Image.new("L", (300, 300), 255).save(tmp_path / "nocode.png")
    code, data, _ = cli("scan", "--json", tmp_path / "empty.png", tmp_path / "corrupt.jpg",
                        tmp_path / "huge.png", tmp_path / "blank.avi", tmp_path / "nocode.png",
                        tmp_path / "missing.png")
    assert code == 1
    by_name = {Path(d["path"]).name: d for d in data}
    messages = {n: (d["error"] or "") for n, d in by_name.items()}
    assert "empty" in messages["empty.png"].lower()
    assert messages["corrupt.jpg"]
    assert "megapixel" in messages["huge.png"].lower() or "too large" in messages["huge.png"]
    assert by_name["blank.avi"]["error"] is None and by_name["blank.avi"]["codes"] == []
    assert by_name["nocode.png"]["error"] is None and by_name["nocode.png"]["codes"] == []
    assert messages["missing.png"]
    assert len(set(messages.values()) - {""}) == 4  # four different messages
    code, out, _ = cli("scan", tmp_path / "nocode.png")
    assert "no code found" in out
