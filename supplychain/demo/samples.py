"""The demo's sample packs: one per verdict, to pick in the app or print and scan.

``sample_packs(demo)`` lists them with the verdict each gets at the demo pharmacy (High
Street Pharmacy); ``write_sample_sheet`` prints them as QR labels captioned with that verdict
(``supplychain demo --sheet samples.pdf``); ``demo_of(home)`` tells whether a node belongs to a
demo network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supplychain.codes.gs1 import PackCode, parse_pack_code
from supplychain.codes.labels import write_label_sheet
from supplychain.demo.network import Demo, demo_exists
from supplychain.i18n import N_, _
from supplychain.ledger.verdicts import Verdict, verdict_word

SAMPLE_SITE = "High Street Pharmacy"
NOT_A_PACK_CODE = "https://example.org/opening-hours"

# (sample key, verdict at the demo pharmacy, what the pack is) - in the order shown; the words
# are marked for the catalog and translated when shown (`SamplePack.words`).
_SAMPLES: tuple[tuple[str, Verdict | None, str], ...] = (
    ("genuine", Verdict.GENUINE, N_("in your custody")),
    ("genuine_in_transit", Verdict.GENUINE, N_("on its way to you")),
    ("recalled", Verdict.SUSPECT, N_("its lot is recalled")),
    ("reported_suspect", Verdict.SUSPECT, N_("reported suspect")),
    ("not_in_custody", Verdict.SUSPECT, N_("at North Wholesale, not here")),
    ("diverted", Verdict.SUSPECT, N_("delivered to Riverside Pharmacy")),
    # Dispensed here: the same pack scanned twice (within the undo window of the demo's making).
    ("already_dispensed", Verdict.INFORMATION, N_("dispensed here, scanned again")),
    ("bolt_dispensed_at_hospital", Verdict.COUNTERFEIT,
     N_("already dispensed at another pharmacy")),
    ("destroyed", Verdict.COUNTERFEIT, N_("destroyed")),
    ("forked_chain", Verdict.COUNTERFEIT, N_("cloned (forked chain)")),
    ("unknown_serial", Verdict.COUNTERFEIT, N_("serial never issued")),
    ("unknown_product", Verdict.COUNTERFEIT, N_("product nobody makes")),
    ("not_a_pack_code", None, N_("a web link, not a pack code")),
)


@dataclass(frozen=True)
class SamplePack:
    """A code to scan and what it shows at the demo pharmacy (``verdict`` None: unreadable).

    ``description`` is the English text (the catalog's key); `words` and `title` are in the
    current language."""

    key: str
    code: str
    verdict: Verdict | None
    description: str

    @property
    def words(self) -> str:
        """What the pack is ("in your custody"), in the current language."""
        return _(self.description)

    @property
    def verdict_words(self) -> str:
        """The verdict it gets ("GENUINE"), or that the code cannot be read."""
        return verdict_word(self.verdict) if self.verdict else _("CANNOT READ")

    @property
    def title(self) -> str:
        return f"{self.verdict_words}: {self.words}"


def sample_packs(demo: Demo) -> list[SamplePack]:
    """Every sample, in display order, with its verdict at the demo pharmacy."""
    codes = {**demo.samples, "not_a_pack_code": NOT_A_PACK_CODE}
    return [SamplePack(key, codes[key], verdict, text) for key, verdict, text in _SAMPLES
            if key in codes]


def demo_of(home: Path) -> Demo | None:
    """The demo network whose node lives at ``home`` (None for a node of a real network)."""
    directory = home.resolve().parent.parent
    if not demo_exists(directory):
        return None
    demo = Demo.load(directory)
    if all(n.home.resolve() != home.resolve() for n in demo.nodes):
        return None
    return demo


def write_sample_sheet(demo: Demo, path: Path,
                       progress: Callable[[int, int], None] | None = None,
                       cancel: Callable[[], bool] | None = None) -> int:
    """An A4 PDF of the sample packs as QR labels, each captioned with its verdict at the
    demo pharmacy. Returns the number of pages (0 when cancelled: nothing written)."""
    printable = [(s, parse_pack_code(s.code)) for s in sample_packs(demo)
                 if s.verdict is not None]
    captions: dict[str, tuple[str, str]] = {
        code.key: (sample.verdict_words, sample.words)
        for sample, code in printable}

    def lines(code: PackCode) -> list[str]:
        return [*captions[code.key], *code.label_lines()]

    title = _("Demo sample packs: verdicts at {site}").format(site=SAMPLE_SITE)
    return write_label_sheet([code for _sample, code in printable], path, lines_for=lines,
                             title=title, progress=progress, cancel=cancel)
