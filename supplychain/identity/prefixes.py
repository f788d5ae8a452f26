"""GS1 company prefixes: which a member may hold, and which member a GTIN belongs to.

GS1 allocates company prefixes (GCPs) so that no company's prefix is the start of
another's: a GTIN belongs to exactly one company. The consortium keeps that promise:

- **Plausible prefixes.** A member's prefix is 6 to 12 digits (the GS1 General Specifications
  allow 4 to 12, but 4- and 5-digit prefixes are not allocated for GTINs of trade items in
  practice) and lies in a range GS1 allocates to companies (biip's table of GS1 prefixes): not
  restricted circulation (02, 04, 2), coupons or refund receipts (05, 98, 99), ISSN/ISBN
  (977-979), GTIN-8 ranges (00000, 96), general manager numbers (951) or an unassigned range.
- **No nesting.** No two members' prefixes may be equal or one the start of the other
  (``prefix_clashes``); the consortium refuses to issue such a certificate and a member
  directory listing two unrevoked members whose prefixes nest is invalid.
- **One owner per GTIN.** Whatever certificates exist, a GTIN that two unrevoked members'
  prefixes cover (a certificate issued by mistake, before this check or by hand) belongs to
  the one certified first (``PrefixOwners``); the other may neither commission nor recall it,
  and nodes raise an ``overlapping_prefixes`` alert until the regulator revokes one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from biip.gs1_prefixes import GS1CompanyPrefix, GS1Prefix

from supplychain.errors import IdentityError
from supplychain.i18n import _
from supplychain.ids import GLN

__all__ = [
    "MAX_PREFIX_DIGITS",
    "MIN_PREFIX_DIGITS",
    "PrefixClash",
    "PrefixHolder",
    "PrefixOwners",
    "check_company_prefix",
    "prefix_clashes",
]

MIN_PREFIX_DIGITS = 6
MAX_PREFIX_DIGITS = 12
_DIGITS = re.compile(r"[0-9]+")
_GTIN8_RANGE = "00000"  # GTIN-13 form of GTIN-8s and of restricted circulation numbers


class PrefixHolder(Protocol):
    """Anything naming a member and its company prefixes (MemberInfo, a store row)."""

    @property
    def gln(self) -> GLN: ...

    @property
    def prefixes(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class _Holder:
    gln: GLN
    prefixes: tuple[str, ...]


def check_company_prefix(prefix: object) -> str:
    """``prefix`` if it is a plausible GS1 company prefix, else IdentityError saying why."""
    if not isinstance(prefix, str) or not _DIGITS.fullmatch(prefix) \
            or not MIN_PREFIX_DIGITS <= len(prefix) <= MAX_PREFIX_DIGITS:
        raise IdentityError(
            _("GS1 company prefix must be {min_prefix_digits} to {max_prefix_digits} digits, "
              "got {prefix!r}")
            .format(min_prefix_digits=MIN_PREFIX_DIGITS, max_prefix_digits=MAX_PREFIX_DIGITS,
                    prefix=prefix))
    if prefix.startswith(_GTIN8_RANGE):
        raise IdentityError(_("GS1 company prefix {prefix} lies in the range kept for GTIN-8s "
                              "and restricted circulation numbers; check the prefix GS1 allocated.")
                            .format(prefix=prefix))
    gs1 = GS1Prefix.extract(prefix)
    if gs1 is None:
        raise IdentityError(_("GS1 company prefix {prefix} starts with {value}, a range GS1 "
                              "has not allocated; check the prefix GS1 allocated.")
                            .format(prefix=prefix, value=prefix[:3]))
    if GS1CompanyPrefix.extract(prefix) is None and gs1.usage.startswith("GS1 "):
        raise IdentityError(_("{prefix} is not a GS1 company prefix: {usage} has allocated no "
                              "company prefix starting so (GS1's company prefix length table); "
                              "check the prefix GS1 allocated.")
                            .format(prefix=prefix, usage=gs1.usage))
    if GS1CompanyPrefix.extract(prefix) is None:
        raise IdentityError(_("{prefix} is not a GS1 company prefix: numbers starting with "
                              "{gs1} are for {usage}, not for a company's GTINs.")
                            .format(prefix=prefix, gs1=gs1.value, usage=gs1.usage))
    return prefix


def nests(a: str, b: str) -> bool:
    """Whether two prefixes overlap: equal, or one the start of the other."""
    return a.startswith(b) or b.startswith(a)


@dataclass(frozen=True)
class PrefixClash:
    """Two members whose company prefixes nest (or repeat)."""

    first: GLN
    first_prefix: str
    second: GLN
    second_prefix: str

    def describe(self) -> str:
        how = ("the same" if self.first_prefix == self.second_prefix
               else "nested")
        return (f"company prefix {self.first_prefix} of {self.first} and {self.second_prefix} "
                f"of {self.second} are {how}")


def prefix_clashes(members: Iterable[PrefixHolder]) -> list[PrefixClash]:
    """Every pair of different members whose prefixes nest or repeat (each pair once)."""
    holders: dict[str, set[GLN]] = {}
    for member in members:
        for prefix in member.prefixes:
            holders.setdefault(prefix, set()).add(GLN(member.gln))
    clashes: set[PrefixClash] = set()
    for prefix, glns in holders.items():
        for start in range(1, len(prefix) + 1):
            for other in sorted(holders.get(prefix[:start], ())):
                for gln in sorted(glns):
                    if gln != other and (start < len(prefix) or gln > other):
                        clashes.add(PrefixClash(other, prefix[:start], gln, prefix))
    return sorted(clashes, key=lambda c: (c.first_prefix, c.first, c.second_prefix, c.second))


def check_no_clash(new: PrefixHolder, existing: Iterable[PrefixHolder]) -> None:
    """IdentityError if ``new``'s prefixes nest with or repeat another member's."""
    others = [m for m in existing if m.gln != new.gln]
    for clash in prefix_clashes([new, *others]):
        if new.gln in (clash.first, clash.second):
            raise IdentityError(
                _("Refused: {describe}. GS1 never allocates one company's prefix "
                  "inside another's, so a GTIN would belong to two members; check the prefix "
                  "with the member and GS1.").format(describe=clash.describe()))


@dataclass(frozen=True)
class PrefixOwners:
    """Who claims which company prefixes, and since when: which member owns a GTIN.

    ``claims`` maps each prefix to its claimants and the time the consortium first certified
    their claim. A GTIN covered by one claimant is that member's; covered by several (a
    certificate issued by mistake), it belongs to the claimant certified first, so a later
    certificate cannot take over another's packs; if the earliest claims are equally old, to
    nobody.
    """

    claims: Mapping[str, Mapping[GLN, datetime]] = field(default_factory=dict)
    _seen: dict[str, dict[GLN, datetime]] = field(default_factory=dict, compare=False,
                                                  repr=False, hash=False)
    """``claimants`` answers by GTIN (these claims never change: ``adding`` makes new ones)."""
    _owner_of: dict[str, GLN | None] = field(default_factory=dict, compare=False, repr=False,
                                             hash=False)
    """``owner`` answers by GTIN (one per commissioned pack on ingest's hot path)."""

    @classmethod
    def of(cls, members: Iterable[tuple[PrefixHolder, datetime]]) -> PrefixOwners:
        """From ``(member, time its first certificate became valid)`` pairs."""
        owners = cls()
        for member, since in members:
            owners = owners._add(member, since)
        return owners

    def _add(self, member: PrefixHolder, since: datetime) -> PrefixOwners:
        found = {p: dict(c) for p, c in self.claims.items()}
        for prefix in member.prefixes:
            claim = found.setdefault(prefix, {})
            gln = GLN(member.gln)
            claim[gln] = min(since, claim.get(gln, since))
        return PrefixOwners(found)

    def adding(self, member: PrefixHolder, since: datetime) -> PrefixOwners:
        """These claims plus ``member``'s, certified at ``since``."""
        return self._add(member, since)

    def _holders(self) -> list[_Holder]:
        return [_Holder(g, (p,)) for p, claim in self.claims.items() for g in claim]

    def clashes(self) -> list[PrefixClash]:
        """Every pair of members whose claims overlap."""
        return prefix_clashes(self._holders())

    def clashes_with(self, member: PrefixHolder) -> list[PrefixClash]:
        """The overlaps ``member``'s prefixes have with these claims."""
        mine = [_Holder(GLN(member.gln), (p,)) for p in member.prefixes]
        near = [h for h in self._holders()
                if any(nests(h.prefixes[0], q) for q in member.prefixes)]
        return [c for c in prefix_clashes([*mine, *near]) if member.gln in (c.first, c.second)]

    def claimants(self, gtin: str) -> dict[GLN, datetime]:
        """Every member one of whose prefixes covers ``gtin`` (compared on its GTIN-13 form),
        with the time of its claim."""
        seen = self._seen.get(gtin)
        if seen is not None:
            return dict(seen)
        body = gtin[1:]
        out: dict[GLN, datetime] = {}
        for length in range(1, min(len(body), MAX_PREFIX_DIGITS) + 1):
            for gln, since in self.claims.get(body[:length], {}).items():
                out[gln] = min(since, out.get(gln, since))
        if len(self._seen) >= 10_000:
            self._seen.clear()
        self._seen[gtin] = out
        return dict(out)

    def owner(self, gtin: str) -> GLN | None:
        """The member ``gtin`` belongs to (None: no claimant, or a tie for the earliest)."""
        if gtin in self._owner_of:
            return self._owner_of[gtin]
        claims = self.claimants(gtin)
        found: GLN | None = None
        if claims:
            first = min(claims.values())
            earliest = [g for g, since in claims.items() if since == first]
            found = earliest[0] if len(earliest) == 1 else None
        if len(self._owner_of) >= 10_000:
            self._owner_of.clear()
        self._owner_of[gtin] = found
        return found
