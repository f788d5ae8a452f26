"""GS1 company prefixes: plausibility, overlaps, and who owns a GTIN (pure, no files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supplychain.errors import IdentityError
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.prefixes import (
    PrefixClash,
    PrefixOwners,
    check_company_prefix,
    check_no_clash,
    prefix_clashes,
)
from supplychain.ids import GLN

A, B, C = GLN("5012345000022"), GLN("5012345000060"), GLN("5012345000077")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def maker(gln: GLN, *prefixes: str) -> MemberInfo:
    return MemberInfo(f"Maker {gln[-3:]}", gln, Role.MANUFACTURER, prefixes)


@pytest.mark.parametrize("prefix", ["501234", "5012345", "0614141", "4000001", "950600",
                                    "300000", "123456789012"])
def test_plausible_company_prefixes(prefix: str) -> None:
    assert check_company_prefix(prefix) == prefix


@pytest.mark.parametrize(("prefix", "message"), [
    ("5012", "must be 6 to 12 digits"),  # 4 digits: not allocated for trade items' GTINs
    ("50123", "must be 6 to 12 digits"),
    ("5012345678901", "must be 6 to 12 digits"),
    ("", "must be 6 to 12 digits"),
    ("50123a", "must be 6 to 12 digits"),
    ("５０１２３４", "must be 6 to 12 digits"),  # full-width digits
    (501234, "must be 6 to 12 digits"),
    ("000001234", "kept for GTIN-8s and restricted circulation"),
    ("0000000123", "kept for GTIN-8s and restricted circulation"),
    ("020123", "Restricted Circulation"),
    ("040123", "Restricted Circulation"),
    ("212345", "Restricted Circulation"),
    ("050123", "reserved for future use"),
    ("977123", "ISSN"),
    ("978123", "ISBN"),
    ("979123", "ISBN"),
    ("980123", "Refund receipts"),
    ("990123", "coupon"),
    ("951000", "General Manager Number"),
    ("960000", "GTIN-8"),
    ("140000", "a range GS1 has not allocated"),
])
def test_implausible_company_prefixes_are_refused(prefix: object, message: str) -> None:
    with pytest.raises(IdentityError, match=message):
        check_company_prefix(prefix)


def test_member_info_refuses_an_implausible_or_self_nesting_prefix() -> None:
    with pytest.raises(IdentityError, match="must be 6 to 12 digits, got '5012'"):
        maker(A, "5012")
    with pytest.raises(IdentityError, match="978123 is not a GS1 company prefix"):
        maker(A, "978123")
    with pytest.raises(IdentityError, match="501234 and 5012345 nest: list only the shorter"):
        maker(A, "501234", "5012345")


def test_prefix_clashes_finds_nested_and_repeated_prefixes_of_different_members() -> None:
    members = [maker(A, "501234"), maker(B, "5012345"), maker(C, "501234", "400000")]
    assert prefix_clashes(members) == [
        PrefixClash(A, "501234", C, "501234"),
        PrefixClash(A, "501234", B, "5012345"),
        PrefixClash(C, "501234", B, "5012345"),
    ]
    assert prefix_clashes([maker(A, "501234"), maker(B, "501235"), maker(C, "5012350")]) == [
        PrefixClash(B, "501235", C, "5012350")]
    # Two certificates of one member (a renewed key) are no clash.
    assert prefix_clashes([maker(A, "501234"), maker(A, "501234")]) == []
    assert prefix_clashes([maker(A, "501234"), maker(B, "501235")]) == []


@pytest.mark.parametrize(("existing", "new", "words"), [
    ("501234", "5012345", "501234 of 5012345000022 and 5012345 of 5012345000060 are nested"),
    ("5012345", "501234", "501234 of 5012345000060 and 5012345 of 5012345000022 are nested"),
    ("501234", "501234", "501234 of 5012345000022 and 501234 of 5012345000060 are the same"),
])
def test_check_no_clash_names_both_members(existing: str, new: str, words: str) -> None:
    with pytest.raises(IdentityError, match=f"Refused: company prefix {words}. GS1 never"):
        check_no_clash(maker(B, new), [maker(A, existing)])
    check_no_clash(maker(B, "501235"), [maker(A, existing)])
    check_no_clash(maker(A, new), [maker(A, existing)])  # the member itself


GTIN_IN_BOTH = "05012345000015"  # under 501234 and under 5012345
GTIN_OUTER_ONLY = "05012340000018"  # under 501234 only


def test_a_gtin_claimed_twice_belongs_to_the_member_certified_first() -> None:
    owners = PrefixOwners.of([(maker(A, "501234"), T0),
                              (maker(B, "5012345"), T0 + timedelta(days=30))])
    assert owners.claimants(GTIN_IN_BOTH) == {A: T0, B: T0 + timedelta(days=30)}
    assert owners.owner(GTIN_IN_BOTH) == A  # the longer, later prefix takes nothing over
    assert owners.owner(GTIN_OUTER_ONLY) == A
    assert owners.owner("09506000134352") is None
    later_first = PrefixOwners.of([(maker(A, "501234"), T0 + timedelta(days=1)),
                                   (maker(B, "5012345"), T0)])
    assert later_first.owner(GTIN_IN_BOTH) == B and later_first.owner(GTIN_OUTER_ONLY) == A
    tie = PrefixOwners.of([(maker(A, "501234"), T0), (maker(B, "5012345"), T0)])
    assert tie.owner(GTIN_IN_BOTH) is None and tie.owner(GTIN_OUTER_ONLY) == A


def test_prefix_owners_report_their_clashes() -> None:
    owners = PrefixOwners.of([(maker(A, "501234"), T0), (maker(C, "400000"), T0)])
    assert owners.clashes() == []
    rogue = maker(B, "5012345")
    assert owners.clashes_with(rogue) == [PrefixClash(A, "501234", B, "5012345")]
    assert owners.adding(rogue, T0).clashes() == [PrefixClash(A, "501234", B, "5012345")]
    assert owners.clashes_with(maker(B, "501235")) == []
