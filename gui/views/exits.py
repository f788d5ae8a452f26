"""Scan & verify's second row of actions: a pack leaving the chain (report stolen, export,
hand over as a sample), a pharmacy's return to its wholesaler, and the wholesaler's
saleable-returns check of a pack on its way back (docs/ARCHITECTURE.md, "Exits and
returns"); the first row's Quarantine, and the release of a quarantined pack
("Quarantine and release"). The rules are the core's (``supplychain.node.actions`` says
which are open, ``supplychain.node.quarantine`` what a quarantine signs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from gui import dialogs
from gui.services import ScanResult
from gui.widgets import big_button
from supplychain.node.actions import PackAction, quarantine_reason
from supplychain.node.returns import ReturnsReceipt, outcome_words

if TYPE_CHECKING:
    from gui.views.scan import ScanView


class ExitButtons(QWidget):
    """The buttons, each shown only when the scanned pack and this site's role allow it."""

    def __init__(self, view: ScanView) -> None:
        super().__init__()
        self.view = view
        self.return_button = big_button(self.tr("Return to wholesaler"),
                                        self.tr("Send the pack back to the wholesaler it came "
                                                "from (it checks it before resale)"))
        self.check_return_button = big_button(
            self.tr("Check return"),
            self.tr("Saleable-returns check: receive the returned pack back into stock if it "
                    "passes"))
        self.stolen_button = big_button(self.tr("Report stolen…"),
                                        self.tr("The pack was stolen: it leaves the chain"))
        self.export_button = big_button(self.tr("Export…"),
                                        self.tr("The pack leaves this market"))
        self.sample_button = big_button(self.tr("Hand over as sample…"),
                                        self.tr("The pack goes to an authority as a sample"))
        self.release_button = big_button(self.tr("Release from quarantine…"),
                                         self.tr("The pack was checked and cleared: it is "
                                                 "active again (signed release)"))
        self.buttons: dict[PackAction, QPushButton] = {
            PackAction.RETURN: self.return_button,
            PackAction.CHECK_RETURN: self.check_return_button,
            PackAction.REPORT_STOLEN: self.stolen_button,
            PackAction.EXPORT: self.export_button,
            PackAction.SAMPLE: self.sample_button,
            PackAction.RELEASE: self.release_button,
        }
        self.return_button.clicked.connect(self.return_pack)
        self.check_return_button.clicked.connect(self.check_return)
        self.stolen_button.clicked.connect(self.report_stolen)
        self.export_button.clicked.connect(self.export)
        self.sample_button.clicked.connect(self.hand_over_sample)
        self.release_button.clicked.connect(self.release)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons.values():
            layout.addWidget(button)
        self.set_actions(frozenset())

    def set_actions(self, actions: frozenset[PackAction]) -> None:
        for action, button in self.buttons.items():
            button.setVisible(action in actions)
            button.setEnabled(action in actions)
        self.setVisible(any(a in actions for a in self.buttons))

    # --- leaving the chain ------------------------------------------------------------
    def report_stolen(self) -> None:
        self._leave(self.tr("Report stolen"),
                    self.tr("Report pack {serial} stolen? It leaves the chain for good: "
                            "wherever it turns up, it will be refused. Details (e.g. the police "
                            "report), optional:"),
                    lambda s, code, why: s.report_stolen(code, why),
                    self.tr("Reported stolen and signed: pack {serial} is out of the chain. If "
                            "it turns up, it will be refused; if you find it again, destroy "
                            "it."), self.tr("REPORTED STOLEN"))

    def export(self) -> None:
        self._leave(self.tr("Export out of the market"),
                    self.tr("Export pack {serial} out of this market? Here it will no longer "
                            "be for sale. Destination, optional:"),
                    lambda s, code, why: s.export_pack(code, why),
                    self.tr("Exported and signed: pack {serial} left this market; here it is "
                            "no longer for sale."), self.tr("EXPORTED"))

    def hand_over_sample(self) -> None:
        self._leave(self.tr("Hand over as a sample"),
                    self.tr("Hand pack {serial} to an authority as a sample? It will no longer "
                            "be for sale. Authority and reference, optional:"),
                    lambda s, code, why: s.hand_over_sample(code, why),
                    self.tr("Handed over as a sample and signed: pack {serial} is no longer "
                            "for sale."), self.tr("SAMPLE"))

    def _leave(self, title: str, question: str, act, done: str,  # type: ignore[no-untyped-def]
               word: str) -> None:
        """Ask for the optional detail, sign the exit, then confirm it (re-verifying a pack
        that just left would cry wolf about one's own action, as after a dispense)."""
        code = self.view._code()
        if code is None:
            return
        why = dialogs.ask_text(self, title, question.format(serial=code.serial), "-")
        self.view.focus_input()
        if why is None:
            return
        reason = None if why == "-" else why
        self.view.ctx.call(lambda s, _t: act(s, code, reason),
                           on_success=lambda r: self._done(r, done.format(serial=code.serial),
                                                           word))

    def _done(self, result: ScanResult, message: str, word: str) -> None:
        self.view.show_result(result)
        self.view.banner.set_state("done", message, word=word)
        self.view.ctx.notify(message)
        self.view.focus_input()

    # --- quarantine and release -------------------------------------------------------
    def quarantine(self) -> None:
        """The first row's Quarantine: signed when the pack is ours (else a suspect report)."""
        code = self.view._code()
        if code is None:
            return
        self.view.ctx.call(lambda s, _t: s.quarantine(code), on_success=self._quarantined)

    def _quarantined(self, outcome: tuple[bool, ScanResult]) -> None:
        signed, result = outcome
        self.view.show_result(result)
        reason = quarantine_reason(self.view.ctx.info.name)
        if signed:
            message = self.tr("Quarantined and signed ('{reason}'): it cannot be dispensed or "
                              "shipped until it is released. Put the pack in the quarantine "
                              "box.").format(reason=reason)
            self.view.banner.set_state("done", message, word=self.tr("QUARANTINED"))
        else:
            message = self.tr("Reported as '{reason}'. Put the pack in the quarantine "
                              "box.").format(reason=reason)
        self.view.ctx.notify(message)
        self.view.focus_input()

    def release(self) -> None:
        code = self.view._code()
        if code is None:
            return
        why = dialogs.ask_text(self, self.tr("Release from quarantine"),
                               self.tr("Why is pack {serial} cleared? (e.g. the re-scan "
                                       "matched, the manufacturer confirmed it)").format(
                                   serial=code.serial))
        self.view.focus_input()
        if not why:
            return
        self.view.ctx.call(lambda s, _t: s.release(code, why),
                           on_success=lambda r: self.view._after(r, self.tr(
                               "Released from quarantine and signed: pack {serial} is active "
                               "again.").format(serial=code.serial)))

    # --- returns ----------------------------------------------------------------------
    def return_pack(self) -> None:
        code = self.view._code()
        if code is None:
            return
        if not dialogs.confirm(self, self.tr("Return to wholesaler"),
                               self.tr("Return pack {serial} to the wholesaler it came from? "
                                       "Put it in the returns box for collection.").format(
                                   serial=code.serial)):
            self.view.focus_input()
            return
        self.view.ctx.call(lambda s, _t: s.return_to_supplier(code),
                           on_success=self._returned)

    def _returned(self, outcome: tuple[str, ScanResult]) -> None:
        name, result = outcome
        self.view.show_result(result)
        code = result.code
        assert code is not None
        self.view.banner.set_state(
            "done", self.tr("Return signed: pack {serial} is on its way back to {name}, which "
                            "checks it before resale.").format(serial=code.serial, name=name),
            word=self.tr("RETURNED"))
        self.view.ctx.notify(self.tr("Returned {serial} to {name}.").format(
            serial=code.serial, name=name))
        self.view.focus_input()

    def check_return(self) -> None:
        code = self.view._code()
        if code is None:
            return
        self.view.ctx.call(lambda s, _t: s.receive_return(code), on_success=self._checked)

    def _checked(self, outcome: tuple[ReturnsReceipt, ScanResult]) -> None:
        receipt, result = outcome
        self.view.show_result(result)
        check = receipt.checks[0]
        if check.accepted:
            self.view.banner.set_state("done", self.tr("Received back into saleable stock.")
                                       + " " + check.message, word=self.tr("RECEIVED BACK"))
        else:
            self.view.banner.set_state(
                "counterfeit" if check.outcome.suspicious else "suspect", check.message,
                self.tr("Not received: the pack failed the saleable-returns check ({why}).")
                .format(why=outcome_words(check.outcome)), word=self.tr("NOT RESALEABLE"))
        self.view.focus_input()
