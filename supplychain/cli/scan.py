"""Command-line scanning and labels: `supplychain scan` and `supplychain labels`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supplychain.cli.common import add_command, gs_substitutes, open_node, passphrase
from supplychain.codes.gs1 import PackCode, parse_pack_code
from supplychain.codes.signed_codes import split_signature
from supplychain.errors import CodeError, ImageError, SupplyChainError
from supplychain.i18n import _, ngettext
from supplychain.ledger.verdicts import Verdict, verdict_word
from supplychain.node.operations import Node

if TYPE_CHECKING:
    from supplychain.scanning.decode import DecodedCode

# OpenCV, zxing-cpp and reportlab are imported when scan or labels runs, not at start-up.

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pbm",
                  ".pgm", ".ppm"}
VIDEO_SUFFIXES = {".avi", ".mp4", ".mkv", ".webm", ".mov", ".mjpg", ".mjpeg"}


@dataclass
class ScannedCode:
    """One code read from one image, with what it means."""

    text: str
    symbology: str
    corners: list[list[float]]
    frame: int | None = None
    pack: dict[str, Any] | None = None
    error: str | None = None
    verdict: dict[str, Any] | None = None


@dataclass
class ScannedFile:
    path: str
    codes: list[ScannedCode] = field(default_factory=list)
    error: str | None = None


def describe(code: DecodedCode, frame: int | None = None) -> ScannedCode:
    """Parse a decoded code into a pack identity, or say why it is not one."""
    scanned = ScannedCode(code.text, code.symbology.value,
                          [[round(x, 1), round(y, 1)] for x, y in code.corners], frame)
    try:
        pack = parse_pack_code(split_signature(code.text)[0])
    except CodeError as exc:
        scanned.error = str(exc)
        return scanned
    scanned.pack = pack_dict(pack)
    return scanned


def pack_dict(pack: PackCode) -> dict[str, Any]:
    return {"gtin": pack.gtin, "serial": pack.serial, "lot": pack.lot,
            "expiry": pack.expiry.isoformat() if pack.expiry else None}


def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders become their image and video files, sorted by name."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir()
                              if p.suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES))
        else:
            out.append(path)
    return out


def scan_file(path: Path) -> ScannedFile:
    """Every code in an image, or every distinct code in a video."""
    from supplychain.scanning.decode import decode_frame, read_image_file
    from supplychain.scanning.sources import VideoFileSource, scan_stream

    result = ScannedFile(str(path))
    try:
        if path.suffix.lower() in VIDEO_SUFFIXES:
            with VideoFileSource(path) as source:
                for frame, codes in scan_stream(source, try_harder_every=10):
                    result.codes.extend(describe(c, frame.index) for c in codes)
        else:
            result.codes = [describe(c) for c in decode_frame(read_image_file(path))]
    except SupplyChainError as exc:
        result.error = str(exc)
    return result


def cmd_scan(args: argparse.Namespace) -> int:
    node: Node | None = open_node(args) if args.verify else None
    if node is not None:
        from supplychain.sync.light import verify_anywhere  # noqa: PLC0415 - aiohttp if needed
    try:
        files = [scan_file(p) for p in expand_paths(args.paths)]
        if node is not None:
            for scanned_file in files:
                for code in scanned_file.codes:
                    if code.pack is not None:
                        code.verdict = verify_anywhere(
                            node, code.text, gs_substitutes(args),
                            lambda: passphrase(args)).to_dict()
    finally:
        if node is not None:
            node.close()
    data = [_file_dict(f) for f in files]
    args.out.emit(data, "\n".join(_file_text(f) for f in files) or _("No files to scan."))
    return 1 if any(f.error for f in files) else 0


def _file_dict(f: ScannedFile) -> dict[str, Any]:
    return {"path": f.path, "error": f.error,
            "codes": [{"text": c.text, "symbology": c.symbology, "position": c.corners,
                       "frame": c.frame, "pack": c.pack, "error": c.error,
                       "verdict": c.verdict} for c in f.codes]}


def _file_text(f: ScannedFile) -> str:
    if f.error:
        return f"{f.path}: {f.error}"
    if not f.codes:
        return f"{f.path}: " + _("no code found. Hold the code flat and in focus, or try a "
                                 "sharper photo.")
    lines = [f"{f.path}: " + ngettext("{count} code", "{count} codes", len(f.codes)).format(
        count=len(f.codes))]
    for c in f.codes:
        shown = c.text.replace("\x1d", "<GS>")
        if len(shown) > 300:
            shown = shown[:300] + "… " + _("({count} more characters; --json gives "
                                           "all)").format(count=len(shown) - 300)
        at = " " + _("frame {index}").format(index=c.frame) if c.frame is not None else ""
        lines.append(f"  [{c.symbology}{at}] {shown}")
        x, y = c.corners[0] if c.corners else (0, 0)
        lines.append("    " + _("at ({x}, {y})").format(x=f"{x:.0f}", y=f"{y:.0f}"))
        if c.pack:
            lines.append("    " + _("pack: GTIN {gtin}  SN {serial}  LOT {lot}  EXP "
                                    "{expiry}").format(gtin=c.pack["gtin"],
                                                       serial=c.pack["serial"],
                                                       lot=c.pack["lot"] or "-",
                                                       expiry=c.pack["expiry"] or "-"))
        else:
            lines.append("    " + _("not a medicine pack code: {error}").format(error=c.error))
        if c.verdict:
            word = verdict_word(Verdict(c.verdict["verdict"]))
            lines.append("    " + _("verdict: {word}: {message}").format(
                word=word, message=c.verdict["message"]))
    return "\n".join(lines)


def cmd_labels(args: argparse.Namespace) -> None:
    if args.sscc:
        _case_labels(args)
        return
    if not args.gtin or not args.lot:
        raise SupplyChainError(_("Say which labels to print: --gtin and --lot for the packs of "
                                 "a lot, or --sscc for case and pallet labels."))
    from supplychain.codes.labels import LabelSymbol, write_label_sheet
    from supplychain.codes.signed_codes import signed_element_string

    symbol = LabelSymbol(args.symbol)
    with open_node(args) as node:
        keys = node.packs_of_lot(args.gtin, args.lot)
        if not keys:
            raise SupplyChainError(_("No commissioned packs of GTIN {gtin} lot {lot} are "
                                     "known to this node.").format(gtin=args.gtin, lot=args.lot))
        codes = []
        for key in keys:
            record = node.ledger.pack(key)
            assert record is not None
            codes.append(PackCode(record.gtin, record.serial, record.lot,  # type: ignore[arg-type]
                                  record.expiry))

        def signed(code: PackCode) -> str:
            uri = node.signed_uri(code)
            if symbol is LabelSymbol.QR:
                return uri
            signature = split_signature(uri)[1]
            assert signature is not None
            return signed_element_string(code, signature)

        pages = write_label_sheet(codes, args.out_file, symbol=symbol,
                                  uri_for=signed if args.signed else None,
                                  title=_("GTIN {gtin} lot {lot}").format(gtin=args.gtin,
                                                                           lot=args.lot))
    args.out.emit({"file": str(args.out_file), "labels": len(codes), "pages": pages,
                   "symbol": symbol.value},
                  _("Wrote {labels} label(s) on {pages} page(s) to {file}").format(
                      labels=len(codes), pages=pages, file=args.out_file))


def _case_labels(args: argparse.Namespace) -> None:
    """`labels --sscc ...`: one A6 case label per SSCC; no node needed."""
    from supplychain.codes.case_labels import write_case_labels
    from supplychain.codes.sscc import parse_sscc

    if args.gtin or args.lot or args.signed:
        raise SupplyChainError(_("--sscc prints case and pallet labels; --gtin, --lot and "
                                 "--signed are for pack labels. Give one or the other."))
    containers = [parse_sscc(text) for text in args.sscc]
    pages = write_case_labels(containers, args.out_file, title=args.title)
    args.out.emit({"file": str(args.out_file), "labels": len(containers), "pages": pages,
                   "sscc": [c.sscc for c in containers]},
                  _("Wrote {labels} case label(s) to {file}").format(
                      labels=len(containers), file=args.out_file))


def register(sub: Any) -> None:
    p = add_command(sub, "scan", cmd_scan,
                    _("read pack codes from images, folders of images or video files"))
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--verify", action="store_true",
                   help=_("also give the ledger verdict of each pack code (needs --home)"))
    p = add_command(sub, "labels", cmd_labels,
                    _("print an A4 PDF label sheet for packs already commissioned, or A6 "
                      "case labels for SSCCs"))
    p.add_argument("--gtin")
    p.add_argument("--lot")
    p.add_argument("--out", required=True, type=Path, dest="out_file",
                   help=_("the PDF file to write"))
    p.add_argument("--symbol", choices=("datamatrix", "qr"), default="datamatrix",
                   help=_("the pack code: GS1 DataMatrix (default, as EU and US law expect) "
                          "or QR with the GS1 Digital Link"))
    p.add_argument("--signed", action="store_true",
                   help=_("put the manufacturer's signature in each code (offline check)"))
    p.add_argument("--sscc", action="append", default=[], metavar="SSCC",
                   help=_("print a case/pallet label for this SSCC (repeat for more)"))
    p.add_argument("--title", help=_("a line at the top of each case label, e.g. the sender"))


__all__ = ["ImageError", "register", "scan_file"]
