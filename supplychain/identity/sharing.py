"""The consortium's sharing policy: who may read whole logs (carried in the member directory).

Two modes: ``need-to-know`` (the default for new consortia: whole logs only to the regulator,
the designated hubs and each log's author) and ``full`` (every member may pull every log).
A member directory without a policy (files signed before policies existed) means ``full``.
As JSON, inside the root-signed directory::

    "sharing": {"mode": "need-to-know", "hubs": [GLN, ...]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from supplychain.errors import CodeError, DirectoryError
from supplychain.i18n import _
from supplychain.identity.certificates import Role
from supplychain.ids import GLN, check_gln

MAX_HUBS = 10_000


class SharingMode(StrEnum):
    NEED_TO_KNOW = "need-to-know"
    FULL = "full"


@dataclass(frozen=True)
class SharingPolicy:
    """The consortium's sharing mode and its designated hubs (GLNs, sorted, no repeats)."""

    mode: SharingMode
    hubs: tuple[GLN, ...] = ()

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", SharingMode(self.mode))
        except ValueError:
            raise DirectoryError(_("Unknown sharing policy {mode!r}: use 'need-to-know' or "
                                   "'full'.").format(mode=self.mode)) from None
        if not isinstance(self.hubs, tuple | list) or len(self.hubs) > MAX_HUBS:
            raise DirectoryError(_("The sharing policy's hubs must be a list of at most "
                                   "{limit} GLNs.").format(limit=MAX_HUBS))
        try:
            hubs = tuple(sorted({check_gln(h) for h in self.hubs}))
        except CodeError as exc:
            raise DirectoryError(_("A hub in the sharing policy is not a GLN: {exc}")
                                 .format(exc=exc)) from None
        object.__setattr__(self, "hubs", hubs)

    @property
    def need_to_know(self) -> bool:
        return self.mode is SharingMode.NEED_TO_KNOW

    def reads_whole_logs(self, gln: str, role: Role) -> bool:
        """May the member ``gln`` with ``role`` read every log in full (full sharing, the
        regulator, a designated hub)?"""
        return not self.need_to_know or role is Role.REGULATOR or self.is_hub(gln)

    def is_hub(self, gln: str) -> bool:
        return gln in self.hubs

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "hubs": list(self.hubs)}

    @classmethod
    def from_dict(cls, d: object) -> SharingPolicy:
        if not isinstance(d, Mapping) or set(d) != {"mode", "hubs"}:
            raise DirectoryError(_("A sharing policy must hold exactly 'mode' and 'hubs'."))
        if not isinstance(d["hubs"], list):
            raise DirectoryError(_("The sharing policy's hubs must be a list of GLNs."))
        return cls(d["mode"], tuple(d["hubs"]))


FULL_SHARING = SharingPolicy(SharingMode.FULL)
"""Every member may pull every log (a directory without a policy means this)."""
NEED_TO_KNOW = SharingPolicy(SharingMode.NEED_TO_KNOW)
"""Whole logs only to the regulator, the hubs and each log's author (new consortia)."""
