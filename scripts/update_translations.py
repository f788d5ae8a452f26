"""Update the translation catalogs from the sources and compile them.

    python scripts/update_translations.py            # extract, merge, compile (core and app)
    python scripts/update_translations.py --check    # exit 1 if anything is out of date
    python scripts/update_translations.py --add fr   # start a new language (core and app)

Core (gettext, domain ``supplychain``): every ``_("...")``, ``gettext("...")``,
``N_("...")`` and ``ngettext("...", "...", n)`` with literal text in ``supplychain/`` is
extracted with ``ast`` and merged into ``supplychain/locale/<lang>/LC_MESSAGES/supplychain.po``
(translations kept, new messages empty, vanished ones dropped), which is compiled to the
``.mo`` next to it. App (Qt): ``pyside6-lupdate`` extracts ``self.tr()`` /
``QCoreApplication.translate()`` / ``QT_TRANSLATE_NOOP`` from ``gui/`` into
``gui/translations/supplychain_<lang>.ts`` and ``pyside6-lrelease`` compiles the ``.qm``.
Translate by editing the .po (any PO editor) and the .ts (Qt Linguist), then run this again.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "supplychain"
LOCALE = CORE / "locale"
DOMAIN = "supplychain"
GUI = ROOT / "gui"
TS_DIR = GUI / "translations"
APP_NAME = "supplychain"

PLURAL_FORMS = {"de": "nplurals=2; plural=(n != 1);", "fr": "nplurals=2; plural=(n > 1);"}
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

SINGLE = {"_", "gettext", "N_"}
PLURAL = {"ngettext"}


@dataclass
class Entry:
    """One PO catalog entry."""

    msgid: str
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return all(self.msgstr) and "fuzzy" not in self.flags


# --- extraction -----------------------------------------------------------------------


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract(root: Path = CORE) -> dict[str, Entry]:
    """Every marked message in the core's sources, with its places (``path:line``)."""
    found: dict[str, Entry] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if name in SINGLE and node.args:
                singular, plural = _literal(node.args[0]), None
            elif name in PLURAL and len(node.args) >= 2:
                singular, plural = _literal(node.args[0]), _literal(node.args[1])
                if plural is None:
                    continue
            else:
                continue
            if not singular:
                continue
            entry = found.setdefault(singular, Entry(singular, plural))
            if plural and not entry.msgid_plural:
                entry.msgid_plural = plural
            entry.references.append(f"{where}:{node.lineno}")
    for entry in found.values():
        entry.references.sort(key=_place)
    return dict(sorted(found.items(), key=lambda item: _place(item[1].references[0])))


def _place(reference: str) -> tuple[str, int]:
    path, _colon, line = reference.rpartition(":")
    return path, int(line)


# --- PO files -----------------------------------------------------------------------


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    out, i, body = [], 0, body[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _quote(text: str) -> str:
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\t", "\\t")) + '"'


def read_po(text: str) -> tuple[str, dict[str, Entry]]:
    """(header msgstr, entries by msgid) of a PO file; obsolete (#~) entries are skipped."""
    entries: dict[str, Entry] = {}
    header = ""
    field_name = ""
    values: dict[str, str] = {}
    flags: set[str] = set()
    refs: list[str] = []

    def finish() -> None:
        nonlocal header, values, flags, refs
        if "msgid" in values:
            msgid = values["msgid"]
            plural = values.get("msgid_plural")
            if plural is None:
                msgstr = [values.get("msgstr", "")]
            else:
                keys = sorted((k for k in values if k.startswith("msgstr[")),
                              key=lambda k: int(k[7:-1]))
                msgstr = [values[k] for k in keys] or [""]
            if msgid == "":
                header = msgstr[0]
            else:
                entries[msgid] = Entry(msgid, plural, msgstr, refs, flags)
        values, flags, refs = {}, set(), []

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            field_name = ""
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if "msgid" in values:
                finish()
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#:"):
            if "msgid" in values:
                finish()
            refs += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            values[field_name] += _unquote(line)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword == "msgid" and "msgid" in values:
                finish()
            field_name = keyword
            values[field_name] = _unquote(rest)
    finish()
    return header, entries


def _po_string(keyword: str, text: str, width: int = 76) -> list[str]:
    if len(keyword) + len(_quote(text)) + 1 <= width and "\n" not in text[:-1]:
        return [f"{keyword} {_quote(text)}"]
    lines = [f'{keyword} ""']
    chunk = ""
    for word in _words(text):
        if chunk and len(_quote(chunk + word)) > width:
            lines.append(_quote(chunk))
            chunk = ""
        chunk += word
        if word.endswith("\n"):
            lines.append(_quote(chunk))
            chunk = ""
    if chunk:
        lines.append(_quote(chunk))
    return lines


def _words(text: str) -> Iterable[str]:
    """Split after spaces and newlines, keeping them."""
    word = ""
    for ch in text:
        word += ch
        if ch in " \n":
            yield word
            word = ""
    if word:
        yield word


def write_po(header: str, entries: Iterable[Entry]) -> str:
    out = ['msgid ""', *_po_string("msgstr", header), ""]
    for entry in entries:
        for ref in entry.references:
            out.append(f"#: {ref}")
        if entry.flags:
            out.append("#, " + ", ".join(sorted(entry.flags)))
        out += _po_string("msgid", entry.msgid)
        if entry.msgid_plural is None:
            out += _po_string("msgstr", entry.msgstr[0])
        else:
            out += _po_string("msgid_plural", entry.msgid_plural)
            for i, text in enumerate(entry.msgstr):
                out += _po_string(f"msgstr[{i}]", text)
        out.append("")
    return "\n".join(out)


def make_header(language: str) -> str:
    return ("Project-Id-Version: supplychain\n"
            f"Language: {language}\n"
            "MIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=UTF-8\n"
            "Content-Transfer-Encoding: 8bit\n"
            f"Plural-Forms: {PLURAL_FORMS.get(language, DEFAULT_PLURAL_FORMS)}\n")


def merge(language: str, old_text: str | None, extracted: dict[str, Entry]) -> str:
    """The PO text for ``language``: the extracted messages with the old translations."""
    header, old = read_po(old_text) if old_text else (make_header(language), {})
    merged = []
    for msgid, new in extracted.items():
        entry = Entry(msgid, new.msgid_plural, list(new.msgstr), list(new.references))
        previous = old.get(msgid)
        if new.msgid_plural is not None:
            entry.msgstr = ["", ""]
        if previous is not None:
            entry.flags = set(previous.flags)
            if (previous.msgid_plural is None) == (new.msgid_plural is None):
                entry.msgstr = list(previous.msgstr)
            if previous.msgid_plural != new.msgid_plural:
                entry.flags.add("fuzzy")
        merged.append(entry)
    return write_po(header, merged)


# --- MO files -----------------------------------------------------------------------


def compile_mo(po_text: str) -> bytes:
    """GNU .mo bytes of a PO text (translated, non-fuzzy entries and the header), as msgfmt."""
    header, entries = read_po(po_text)
    pairs: list[tuple[bytes, bytes]] = [(b"", header.encode())]
    for entry in entries.values():
        if not entry.translated:
            continue
        if entry.msgid_plural is None:
            pairs.append((entry.msgid.encode(), entry.msgstr[0].encode()))
        else:
            pairs.append((f"{entry.msgid}\0{entry.msgid_plural}".encode(),
                          "\0".join(entry.msgstr).encode()))
    pairs.sort()
    count = len(pairs)
    ids_offset = 28
    strs_offset = ids_offset + 8 * count
    data_offset = strs_offset + 8 * count
    ids_table, strs_table, data = [], [], b""
    for source, _target in pairs:
        ids_table.append((len(source), data_offset + len(data)))
        data += source + b"\0"
    for _source, target in pairs:
        strs_table.append((len(target), data_offset + len(data)))
        data += target + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_offset, strs_offset, 0, 0)
    for length, offset in ids_table + strs_table:
        out += struct.pack("<2I", length, offset)
    return out + data


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def core_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def update_core(languages: list[str], check: bool) -> list[str]:
    """Merge and compile every core catalog; return the files that were (or would be) changed."""
    extracted = extract()
    changed = []
    for language in languages:
        po = po_path(language)
        old = po.read_text(encoding="utf-8") if po.exists() else None
        text = merge(language, old, extracted)
        mo = po.with_suffix(".mo")
        binary = compile_mo(text)
        if text != old:
            changed.append(str(po.relative_to(ROOT)))
            if not check:
                po.parent.mkdir(parents=True, exist_ok=True)
                po.write_text(text, encoding="utf-8")
        if not mo.exists() or mo.read_bytes() != binary:
            changed.append(str(mo.relative_to(ROOT)))
            if not check:
                mo.write_bytes(binary)
    return changed


# --- Qt -------------------------------------------------------------------------------


def qt_tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease next to this Python, else on the PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install PySide6 (it ships {name}).")
    return found


def gui_sources() -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sorted(GUI.rglob("*.py"))]


def ts_path(language: str) -> Path:
    return TS_DIR / f"{APP_NAME}_{language}.ts"


def app_languages() -> list[str]:
    return sorted(p.stem.split("_", 1)[1] for p in TS_DIR.glob(f"{APP_NAME}_*.ts"))


def update_app(languages: list[str], check: bool) -> list[str]:
    changed = []
    TS_DIR.mkdir(parents=True, exist_ok=True)
    for language in languages:
        ts = ts_path(language)
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / ts.name
            if ts.exists():
                shutil.copy(ts, target)
            subprocess.run([qt_tool("pyside6-lupdate"), *gui_sources(), "-no-obsolete",
                            "-locations", "none", "-target-language", language,
                            "-ts", str(target)],
                           cwd=ROOT, check=True, capture_output=True)
            qm = Path(tmp) / ts.with_suffix(".qm").name
            subprocess.run([qt_tool("pyside6-lrelease"), str(target), "-qm", str(qm)],
                           cwd=ROOT, check=True, capture_output=True)
            new_ts, new_qm = target.read_bytes(), qm.read_bytes()
        for path, content in ((ts, new_ts), (ts.with_suffix(".qm"), new_qm)):
            if not path.exists() or path.read_bytes() != content:
                changed.append(str(path.relative_to(ROOT)))
                if not check:
                    path.write_bytes(content)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a catalog is out of date")
    parser.add_argument("--add", metavar="LANG", action="append", default=[],
                        help="start catalogs for a new language (e.g. fr)")
    parser.add_argument("--core-only", action="store_true", help="skip the Qt catalogs")
    args = parser.parse_args(argv)
    changed = update_core(sorted(set(core_languages()) | set(args.add)), args.check)
    if not args.core_only:
        changed += update_app(sorted(set(app_languages()) | set(args.add)), args.check)
    for path in changed:
        print(("out of date: " if args.check else "updated: ") + path)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
