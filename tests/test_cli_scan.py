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
