"""The member directory a node holds: accept a newer root-signed version, never roll back.

Whatever route a directory takes (a file from the regulator, a bundle, a sync peer), it is
verified against this node's consortium root, compared with the version held, and, when
newer, its certificates and revocations are added in one transaction with the directory
itself. An older version is refused (``StaleDirectory``); a foreign or altered one too
(``DirectoryError``); either way nothing changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from supplychain.errors import DirectoryError, InvalidCertificate, StaleDirectory
from supplychain.i18n import _
from supplychain.identity.directory import MemberDirectory
from supplychain.identity.revocations import Revocation
from supplychain.identity.sharing import FULL_SHARING, SharingPolicy
from supplychain.ledger.logs import Ledger

DIRECTORY_META = "member_directory"
SHARING_META = "sharing_policy"


@dataclass(frozen=True)
class DirectoryUpdate:
    """What accepting a directory did."""

    version: int
    previous: int | None
    new_members: int
    new_revocations: int

    @property
    def changed(self) -> bool:
        return self.previous != self.version

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "previous": self.previous,
                "new_members": self.new_members, "new_revocations": self.new_revocations}


def held_directory(ledger: Ledger) -> MemberDirectory | None:
    """The newest member directory this node has accepted (None before the first)."""
    text = ledger.store.get_meta(DIRECTORY_META)
    return None if text is None else MemberDirectory.parse(text.encode())


def sharing_policy(ledger: Ledger) -> SharingPolicy:
    """The consortium's sharing policy as the newest directory held states it (full when the
    directory carries none, or before the first directory: today's behaviour)."""
    text = ledger.store.get_meta(SHARING_META)
    if text is None:
        return FULL_SHARING
    return SharingPolicy.from_dict(json.loads(text))


def held_version(ledger: Ledger) -> int | None:
    held = held_directory(ledger)
    return None if held is None else held.version


def accept_directory(ledger: Ledger, directory: MemberDirectory) -> DirectoryUpdate:
    """Verify ``directory`` and, if newer than the one held, apply and keep it.

    The same version again is a no-op. Raises StaleDirectory for an older version and
    DirectoryError for a directory of another consortium, an altered one, or a second,
    different directory under a version number already held.
    """
    directory.verify(ledger.root_cert)
    if directory.consortium != ledger.consortium:
        raise DirectoryError(_("This member directory is for consortium "
                               "{theirs!r}, not {ours!r}. "
                               "Nothing was changed.")
                             .format(theirs=directory.consortium, ours=ledger.consortium))
    held = held_directory(ledger)
    previous = held.version if held is not None else None
    if held is not None and directory.version < held.version:
        raise StaleDirectory(
            _("This member directory is version {version}, older than the version "
              "{held} this node holds (issued {issued_at}); a directory never "
              "rolls back. Nothing was changed.")
            .format(version=directory.version, held=held.version, issued_at=held.issued_at))
    if held is not None and directory.version == held.version:
        if directory.signed_bytes() != held.signed_bytes():
            raise DirectoryError(
                _("This member directory differs from the version {version} this node "
                  "already holds under the same number. Nothing was changed; report it to the "
                  "regulator.").format(version=held.version))
        return DirectoryUpdate(held.version, previous, 0, 0)
    store = ledger.store
    with store.transaction():
        known = set(store.all_member_certs())
        new_members = 0
        for pem in directory.members:
            if pem in known:
                continue
            try:
                ledger.add_member_certificate(pem)
            except InvalidCertificate:
                # Valid when the directory was signed, expired since: it signs nothing new,
                # and the events it signed earlier are checked against it when they arrive.
                continue
            new_members += 1
        new_revocations = sum(1 for r in directory.revocations if ledger.add_revocation(r))
        store.set_meta(DIRECTORY_META, directory.to_bytes().decode())
        store.set_meta(SHARING_META, json.dumps(directory.sharing_policy.to_dict()))
    return DirectoryUpdate(directory.version, previous, new_members, new_revocations)


def offer_directory(ledger: Ledger, directory: MemberDirectory) -> DirectoryUpdate | None:
    """Accept ``directory`` if newer; ignore an older one (a relay that has not caught up).

    For routes that pass directories along (bundles, sync): a foreign or altered directory
    still raises DirectoryError.
    """
    try:
        return accept_directory(ledger, directory)
    except StaleDirectory:
        return None


def apply_revocation(ledger: Ledger, revocation: Revocation,
                     directory: MemberDirectory | None = None) -> bool:
    """Keep a root-signed revocation (and the member directory that lists it, if newer) in
    one transaction, so this node passes both on in its bundles and sync; True if new."""
    with ledger.store.transaction():
        if directory is not None:
            offer_directory(ledger, directory)
        return ledger.add_revocation(revocation)
