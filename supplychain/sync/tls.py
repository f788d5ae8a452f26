"""Mutual TLS between members: contexts from a node home, and the app-layer peer check.

Both sides present their member certificate (Ed25519, signed by the consortium root) and
verify the other's against ``root.pem`` during the TLS 1.3 handshake; a stranger's certificate
fails there. Hostnames are not checked: a node is identified by the GLN in its certificate.
After the handshake :func:`authenticate_peer` re-reads the certificate as a member certificate
and refuses revoked members (the handshake does not know our revocations).

OpenSSL reads the encrypted PKCS#8 key written by ``identity.save_private_key`` directly
(``load_cert_chain(..., password=...)``), so the decrypted key never touches the disk.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable
from pathlib import Path

from supplychain.errors import IdentityError, PeerRefused
from supplychain.i18n import _
from supplychain.identity.certificates import Member, load_certificate, verify_member_certificate
from supplychain.ledger.logs import Ledger

log = logging.getLogger("supplychain.sync")

HandshakeHook = Callable[[str], None]


class _LoggingSSLObject(ssl.SSLObject):
    """Reports failed handshakes (asyncio drops them silently outside debug mode)."""

    def do_handshake(self) -> None:
        try:
            super().do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise
        except ssl.SSLError as exc:
            hook = getattr(self.context, "on_handshake_error", None)
            if hook is not None:
                hook(f"{exc.reason or exc.__class__.__name__}: {exc.strerror or exc}")
            raise


class MemberContext(ssl.SSLContext):
    """An SSLContext whose failed handshakes call ``on_handshake_error(reason)``."""

    on_handshake_error: HandshakeHook | None = None


def _context(protocol: int, home: Path, passphrase: bytes,
             on_error: HandshakeHook | None) -> MemberContext:
    ctx = MemberContext(protocol)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if protocol == ssl.PROTOCOL_TLS_CLIENT:
        ctx.check_hostname = False  # members are named by GLN in the certificate
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=str(home / "root.pem"))
    try:
        ctx.load_cert_chain(str(home / "member.pem"), str(home / "member.key"),
                            password=passphrase)
    except ssl.SSLError as exc:
        raise IdentityError(_("Cannot load this node's TLS identity from {home}: wrong "
                              "passphrase or damaged key ({reason}).")
                            .format(home=home, reason=exc.reason)) from None
    ctx.sslobject_class = _LoggingSSLObject
    ctx.on_handshake_error = on_error
    return ctx


def server_context(home: Path, passphrase: bytes,
                   on_error: HandshakeHook | None = None) -> MemberContext:
    return _context(ssl.PROTOCOL_TLS_SERVER, home, passphrase, on_error)


def client_context(home: Path, passphrase: bytes,
                   on_error: HandshakeHook | None = None) -> MemberContext:
    return _context(ssl.PROTOCOL_TLS_CLIENT, home, passphrase, on_error)


def authenticate_peer(der: bytes | None, ledger: Ledger, known: Member | None = None) -> Member:
    """The verified, unrevoked member behind a TLS peer certificate; PeerRefused otherwise.

    ``known`` is this certificate's Member from an earlier check: only revocations are
    re-read then.
    """
    if not der:
        raise PeerRefused(_("The peer presented no certificate."))
    member = known
    if member is None:
        try:
            member = verify_member_certificate(load_certificate(der), ledger.root_cert)
        except IdentityError as exc:
            raise PeerRefused(_("The peer's certificate is not a valid member certificate: "
                                "{exc}.").format(exc=exc)) from None
    for revocation in ledger.revocations():
        if revocation.applies_to(member):
            raise PeerRefused(_("{name} ({gln}) is a revoked member "
                                "(revoked {revoked_at}: {reason}).")
                              .format(name=member.info.name, gln=member.info.gln,
                                      revoked_at=revocation.revoked_at, reason=revocation.reason))
    return member
