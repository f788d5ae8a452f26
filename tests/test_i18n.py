"""Translations of the core: language choice, German verdicts and reasons, the catalogs."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest

from supplychain import i18n
from supplychain.codes.gs1 import PackCode, parse_pack_code
from supplychain.codes.scanner_text import AMBIGUOUS_SPLIT, parse_scanned
from supplychain.errors import CodeError, DamagedCode
from supplychain.identity.certificates import Role
from supplychain.ids import GLN
from supplychain.ledger.rules import PackStatus
from supplychain.ledger.verdicts import (
    PackFacts,
    Reason,
    Verdict,
    decide,
    reason_sentence,
    reason_words,
    status_words,
    verdict_word,
)
from tests.conftest import GTIN, PHARMACY

ROOT = Path(__file__).resolve().parent.parent
OTHER = GLN("5012345000039")
TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
CODE = PackCode(GTIN, "SN1", "L1", date(2030, 1, 31))  # type: ignore[arg-type]
KNOWN = PackFacts(gtin_known=True, registered_lot="L1", registered_expiry=date(2030, 1, 31),
                  status=PackStatus.ACTIVE, custodian=PHARMACY)

# For each reason: facts that raise exactly it, and words its German sentence must hold.
CASES: dict[Reason, tuple[PackCode, PackFacts, str]] = {
    Reason.UNKNOWN_PRODUCT: (CODE, PackFacts(gtin_known=False),
                             "Kein Hersteller im Netzwerk hat diesen Produktcode je registriert"),
    Reason.UNKNOWN_SERIAL: (CODE, PackFacts(gtin_known=True),
                            "diese Seriennummer wurde von seinem Hersteller nie vergeben"),
    Reason.LOT_MISMATCH: (CODE, replace(KNOWN, registered_lot="L2"),
                          "gedruckte Charge weicht von der vom Hersteller registrierten ab"),
    Reason.EXPIRY_MISMATCH: (CODE, replace(KNOWN, registered_expiry=date(2031, 1, 31)),
                             "gedruckte Verfallsdatum weicht"),
    Reason.EXPIRED: (replace(CODE, expiry=date(2026, 1, 31)),
                     replace(KNOWN, registered_expiry=date(2026, 1, 31)),
                     "Das Verfallsdatum dieser Packung ist überschritten: nicht abgeben."),
    Reason.RECALLED: (CODE, replace(KNOWN, recalled=True),
                      "Diese Charge wurde zurückgerufen: nicht abgeben"),
    Reason.ALREADY_DISPENSED: (CODE, replace(KNOWN, status=PackStatus.DISPENSED, custodian=OTHER),
                               "Diese Packung wurde bereits abgegeben"),
    Reason.DECOMMISSIONED: (CODE, replace(KNOWN, status=PackStatus.DESTROYED, custodian=OTHER),
                            "aus dem Verkehr genommen (vernichtet)"),
    Reason.NOT_IN_CUSTODY: (CODE, replace(KNOWN, custodian=OTHER),
                            "nicht an Ihren Standort geliefert"),
    Reason.FORKED_CHAIN: (CODE, replace(KNOWN, forked=True),
                          "zwei widersprüchliche Verläufe"),
    Reason.INVALID_SIGNATURE: (CODE, replace(KNOWN, integrity_ok=False),
                               "behandeln Sie sie als Fälschung und melden Sie sie"),
    Reason.REPORTED_SUSPECT: (CODE, replace(KNOWN, reported=True),
                              "Ein anderes Mitglied hat diese Packung als verdächtig gemeldet"),
    Reason.CANNOT_VERIFY_OFFLINE: (CODE, PackFacts(gtin_known=True, offline=True),
                                   "Offline nicht prüfbar"),
    Reason.REPORTED_STOLEN: (CODE, replace(KNOWN, status=PackStatus.STOLEN, custodian=OTHER),
                             "Diese Packung wurde als gestohlen gemeldet"),
    Reason.EXPORTED: (CODE, replace(KNOWN, status=PackStatus.EXPORTED, custodian=OTHER),
                      "nicht für den Verkauf hier bestimmt"),
    Reason.SAMPLE: (CODE, replace(KNOWN, status=PackStatus.SAMPLED, custodian=OTHER),
                    "als Probe an eine Behörde übergeben"),
    Reason.QUARANTINED: (CODE, replace(KNOWN, status=PackStatus.QUARANTINED),
                         "wird an diesem Standort in Quarantäne gehalten"),
    Reason.ALREADY_DISPENSED_HERE: (CODE, replace(KNOWN, status=PackStatus.DISPENSED,
                                                  dispensed_at=datetime(2026, 6, 1, 10, 29,
                                                                        tzinfo=UTC)),
                                    "wurde an diesem Standort am 2026-06-01 um 10:29 UTC "
                                    "abgegeben"),
    Reason.DISPUTED_LOG: (CODE, replace(KNOWN, disputed=True),
                          "das sein Verfasser umgeschrieben hat"),
}


def load_script() -> ModuleType:
    """scripts/update_translations.py, which holds the catalog reader and compiler."""
    path = ROOT / "scripts" / "update_translations.py"
    spec = importlib.util.spec_from_file_location("update_translations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


# --- choosing the language ----------------------------------------------------------------


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "de"),
    ({"LANG": "de_AT.UTF-8@euro"}, "de"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),  # no French catalog: English
    ({"LANG": "C.UTF-8", "LANGUAGE": "de"}, "en"),  # as GNU gettext: C ignores LANGUAGE
    ({"LANG": "en_GB.UTF-8", "LANGUAGE": "de:en"}, "de"),  # LANGUAGE before the locale
    ({"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:de"}, "de"),  # first listed with a catalog
    ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, "en"),  # LC_ALL wins
    ({"LC_MESSAGES": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),  # then LC_MESSAGES
    ({"SUPPLYCHAIN_LANG": "de", "LANG": "en_US.UTF-8", "LANGUAGE": "en"}, "de"),
    ({"SUPPLYCHAIN_LANG": "en", "LC_ALL": "de_DE.UTF-8"}, "en"),
    ({"SUPPLYCHAIN_LANG": "xx", "LANG": "de_DE.UTF-8"}, "de"),  # unknown: next candidate
])
def test_detection_order(environ: dict[str, str], expected: str) -> None:
    assert i18n.detect_language(environ) == expected


def test_an_explicit_choice_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLYCHAIN_LANG", "en")
    assert i18n.set_language("de_CH") == "de" and i18n.current_language() == "de"
    assert i18n.set_language("fr") == "en"  # no catalog: the detected language
    monkeypatch.setenv("SUPPLYCHAIN_LANG", "de")
    assert i18n.set_language(None) == "de"


def test_german_ships_as_a_catalog() -> None:
    assert i18n.available_languages() == ("en", "de")


def test_a_switch_takes_effect_at_once() -> None:
    """Text is translated when shown, not at import: no module reload is needed."""
    english = reason_sentence(Reason.RECALLED)
    i18n.set_language("de")
    german = reason_sentence(Reason.RECALLED)
    i18n.set_language("en")
    assert german != english and german.startswith("Diese Charge wurde zurückgerufen")
    assert reason_sentence(Reason.RECALLED) == english


# --- German verdicts ----------------------------------------------------------------------


def test_every_reason_has_a_case() -> None:
    assert set(CASES) == set(Reason)


@pytest.mark.parametrize("reason", list(Reason), ids=lambda r: r.value)
def test_german_verdict_sentence_for_each_reason(reason: Reason) -> None:
    code, facts, words = CASES[reason]
    english = decide(code, facts, PHARMACY, Role.PHARMACY, TODAY, NOW)
    i18n.set_language("de")
    decision = decide(code, facts, PHARMACY, Role.PHARMACY, TODAY, NOW)
    assert decision.reasons == english.reasons == (reason,)  # codes are never translated
    assert decision.verdict is english.verdict
    assert words in decision.message
    assert decision.message == reason_sentence(reason, facts.dispensed_at) != english.message
    assert reason_words(reason) != reason.value.replace("_", " ")


def test_german_words_for_verdicts_statuses_and_the_genuine_sentence() -> None:
    i18n.set_language("de")
    assert [verdict_word(v) for v in Verdict] == ["ECHT", "VERDÄCHTIG", "FÄLSCHUNG",
                                                  "HIER BEREITS ABGEGEBEN"]
    assert status_words(PackStatus.DISPENSED) == "abgegeben"
    assert reason_words(Reason.RECALLED) == "zurückgerufen"
    assert reason_words(Reason.NOT_IN_CUSTODY) == "nicht in Ihrem Bestand"
    genuine = decide(CODE, KNOWN, PHARMACY, Role.PHARMACY, TODAY)
    assert genuine.verdict is Verdict.GENUINE
    assert genuine.message.startswith("Echt: der Verlauf der Packung ist einwandfrei")
    many = decide(CODE, replace(KNOWN, recalled=True, reported=True, forked=True,
                                custodian=OTHER), PHARMACY, Role.PHARMACY, TODAY)
    assert many.message.endswith("(weitere Gründe aufgeführt: 2.)")


def test_code_reading_errors_in_german() -> None:
    i18n.set_language("de")
    with pytest.raises(CodeError) as info:
        parse_pack_code("https://example.com/promo")
    assert str(info.value) == ("Dies ist ein Weblink (https://example.com/promo), kein "
                               "Arzneimittel-Packungscode. Scannen Sie stattdessen den "
                               "quadratischen 2D-Code (Data Matrix) auf der Packung.")
    with pytest.raises(DamagedCode, match="Prüfziffer"):
        parse_pack_code("0105012345000016211234")
    with pytest.raises(DamagedCode) as ambiguous:
        parse_scanned("010950600013435221AB10CD")  # no GS: several splits are valid
    assert str(ambiguous.value) != AMBIGUOUS_SPLIT
    assert "Gruppentrennzeichen" in str(ambiguous.value)


# --- the catalogs -------------------------------------------------------------------------


def catalogs() -> list[Path]:
    return sorted((ROOT / "supplychain" / "locale").glob("*/LC_MESSAGES/supplychain.po"))


def test_catalogs_are_up_to_date_with_the_sources_and_compiled() -> None:
    script = load_script()
    extracted = script.extract()
    assert catalogs(), "no catalog"
    for po in catalogs():
        text = po.read_text(encoding="utf-8")
        _header, entries = script.read_po(text)
        assert set(entries) == set(extracted), (
            f"{po.relative_to(ROOT)} is not up to date with the sources: run "
            "scripts/update_translations.py")
        mo = po.with_suffix(".mo")
        assert mo.read_bytes() == script.compile_mo(text), (
            f"{mo.relative_to(ROOT)} is not compiled from its .po: run "
            "scripts/update_translations.py")


SHOWN_AT_THE_COUNTER = ("supplychain/ledger/verdicts.py", "supplychain/ledger/freshness.py",
                        "supplychain/codes/gs1.py", "supplychain/codes/scanner_text.py",
                        "supplychain/codes/signed_codes.py", "supplychain/codes/labels.py",
                        "supplychain/scanning/", "supplychain/ledger/rules.py",
                        # alerts and sync evidence, the sample packs and the sheet
                        "supplychain/ledger/alerts.py", "supplychain/demo/samples.py",
                        # goods in and out, the member directory a clerk imports
                        "supplychain/node/shipments.py", "supplychain/identity/directory.py",
                        "supplychain/ledger/membership.py")


def test_german_is_complete_for_verdicts_reasons_and_scans() -> None:
    script = load_script()
    po = ROOT / "supplychain" / "locale" / "de" / "LC_MESSAGES" / "supplychain.po"
    _header, entries = script.read_po(po.read_text(encoding="utf-8"))
    counter = [e for e in entries.values()
               if any(ref.startswith(SHOWN_AT_THE_COUNTER) for ref in e.references)]
    assert len(counter) > 150
    missing = [e.msgid for e in counter if not e.translated]
    assert missing == [], f"untranslated or fuzzy German messages: {missing}"


def test_translations_keep_every_placeholder() -> None:
    script = load_script()
    for po in catalogs():
        _header, entries = script.read_po(po.read_text(encoding="utf-8"))
        for entry in entries.values():
            wanted = set(re.findall(r"{\w*}", entry.msgid))
            for text in entry.msgstr:
                if text:
                    assert set(re.findall(r"{\w*}", text)) == wanted, (po.name, entry.msgid)


# --- the words shown for alerts, sample packs and directory errors -------------------------


def test_german_alert_words_and_sample_packs() -> None:
    from supplychain.demo.samples import _SAMPLES, SamplePack
    from supplychain.ledger.alerts import AlertKind, kind_words

    english = {kind: kind.words for kind in AlertKind}
    i18n.set_language("de")
    assert kind_words("forked_chain") == "Verzweigte Kette (Klon oder doppelte Übergabe)"
    assert AlertKind.UNREACHABLE.words == "war nicht erreichbar"
    assert all(kind.words != english[kind] for kind in AlertKind), "an alert kind in English"
    assert kind_words("from_a_newer_version") == "from a newer version"  # the kind, spaced
    titles = [SamplePack(key, "", verdict, text).title for key, verdict, text in _SAMPLES]
    assert titles[0] == "ECHT: in Ihrem Bestand"
    assert titles[-1] == "CODE NICHT LESBAR: ein Weblink, kein Packungscode"
    assert SamplePack("genuine", "", Verdict.GENUINE, "in your custody").description == (
        "in your custody")  # the data stays English; only what is shown is translated


def test_a_file_that_is_no_member_directory_is_refused_in_german() -> None:
    from supplychain.errors import DirectoryError
    from supplychain.identity.directory import MemberDirectory

    i18n.set_language("de")
    with pytest.raises(DirectoryError, match="^Kein Mitgliederverzeichnis: Typ ist 'x'"):
        MemberDirectory.parse(b'{"type": "x"}')


def test_text_made_for_storage_stays_english() -> None:
    """Derivation stores its reasons in English whatever the shown language, so a rebuild
    (and `audit`, which compares with one) never depends on who derived the tables."""
    i18n.set_language("de")
    with i18n.source_language():
        assert reason_sentence(Reason.RECALLED).startswith("This lot")
        assert i18n.current_language() == "de"  # the choice is untouched ...
    assert reason_sentence(Reason.RECALLED).startswith("Diese Charge")  # ... and back


def test_a_rejected_event_derived_in_german_keeps_an_english_reason(network) -> None:  # type: ignore[no-untyped-def]
    """A forged ship (the rule is bypassed on the signer's side) arrives at a node whose
    language is German: its rejection reason is stored in English, and `audit` in English
    finds the derived tables equal to a rebuild."""
    from supplychain.clock import now_iso
    from supplychain.errors import RuleViolation
    from supplychain.interchange.bundle import exchange
    from supplychain.ledger.audit import audit
    from supplychain.ledger.events import Event, EventType, Item, SignedEvent
    from tests.conftest import DIST_A, MAKER

    code = network[MAKER].commission(GTIN, "L1", date(2030, 1, 31), 1)[0]
    exchange(network[MAKER], network[DIST_A])
    rogue, pharmacy = network[DIST_A], network[PHARMACY]
    head = network[MAKER].ledger.pack(code.key).head
    event = Event(EventType.SHIP, DIST_A, rogue.me.key_id, now_iso(), (Item(code.key, head),),
                  to=PHARMACY)
    i18n.set_language("de")
    with pytest.raises(RuleViolation, match="nur der Besitzer kann sie versenden"):
        rogue.append([event])  # shown in German
    key = rogue._signing_key()
    signed = SignedEvent(event, key.sign(event.to_bytes()))
    with rogue.store.transaction():
        rogue.ledger.append_entries(DIST_A, rogue.store.log_size(DIST_A), [signed.to_bytes()])
        rogue.ledger.sign_own_checkpoint(DIST_A, key)
    exchange(rogue, pharmacy)  # derived while German is chosen
    stored = pharmacy.ledger.event_status(signed.hash)
    assert stored is not None and stored.status == "rejected"
    assert "only the custodian can ship" in (stored.reason or "")
    i18n.set_language("en")
    assert audit(pharmacy.ledger).entries > 0
