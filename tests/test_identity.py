"""Tests for supplychain.identity.certificates: root, member certificates, keys, revocations."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from supplychain.errors import (
    IdentityError,
    InvalidCertificate,
    InvalidSignature,
    NoPassphrase,
    RevokedMember,
    WrongPassphrase,
)
from supplychain.identity import certificates as idm
from supplychain.identity import keys, revocations
from supplychain.identity.certificates import MemberInfo, Role
from supplychain.identity.prefixes import check_company_prefix
from supplychain.identity.revocations import Revocation
from supplychain.ids import GLN


def make_gln(body: str) -> GLN:
    """Append the GS1 mod-10 check digit to a 12-digit body."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return GLN(body + str((10 - total % 10) % 10))


GLN_A = make_gln("061414100003")
GLN_B = make_gln("400000000001")

INFOS = {
    Role.MANUFACTURER: MemberInfo("Acme Pharma", GLN_A, Role.MANUFACTURER, ("0614141", "4000001")),
    Role.DISTRIBUTOR: MemberInfo("Fast Wholesale", GLN_B, Role.DISTRIBUTOR),
    Role.PHARMACY: MemberInfo("Corner Pharmacy", make_gln("500000000002"), Role.PHARMACY),
    Role.REGULATOR: MemberInfo("Medicines Agency", make_gln("600000000003"), Role.REGULATOR),
}


@pytest.fixture(scope="module")
def root() -> tuple[Ed25519PrivateKey, x509.Certificate]:
    return idm.create_root("Test Consortium")


def issue(root: tuple[Ed25519PrivateKey, x509.Certificate], info: MemberInfo, days: int = 825):
    key = keys.generate_member_key()
    return key, idm.issue_member_certificate(root[0], root[1], key.public_key(), info, days)


# --- root ---------------------------------------------------------------------
def test_root_is_a_self_signed_ca(root) -> None:
    _, cert = root
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert bc.ca and bc.path_length == 0
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    consortium = idm.ConsortiumRoot.from_certificate(cert)
    assert consortium.name == "Test Consortium"
    assert consortium.public_key.public_bytes_raw() == root[0].public_key().public_bytes_raw()


# --- member certificates --------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_issue_and_verify_round_trip(root, role: Role, encoding) -> None:
    key, cert = issue(root, INFOS[role])
    loaded = idm.load_certificate(cert.public_bytes(encoding))
    member = idm.verify_member_certificate(loaded, root[1])
    assert member.info == INFOS[role]
    assert member.serial == cert.serial_number
    assert member.public_key.public_bytes_raw() == key.public_key().public_bytes_raw()
    assert len(member.key_id) == 16 and int(member.key_id, 16) >= 0
    assert idm.load_certificate(member.cert_pem) == cert
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == INFOS[role].gln


def test_extension_is_canonical_json(root) -> None:
    _, cert = issue(root, INFOS[Role.MANUFACTURER])
    ext = cert.extensions.get_extension_for_oid(idm.MEMBER_INFO_OID)
    assert not ext.critical
    assert ext.value.value == (
        b'{"gln":"0614141000036","prefixes":["0614141","4000001"],"role":"manufacturer"}'
    )


def test_signature_helpers() -> None:
    key = keys.generate_member_key()
    sig = keys.sign(key, b"hello")
    keys.verify_signature(key.public_key(), b"hello", sig)
    with pytest.raises(InvalidSignature):
        keys.verify_signature(key.public_key(), b"hellO", sig)


def test_tampered_signature_rejected(root) -> None:
    _, cert = issue(root, INFOS[Role.PHARMACY])
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01  # last byte of the signature
    with pytest.raises(InvalidCertificate, match="not signed by this consortium root"):
        idm.verify_member_certificate(idm.load_certificate(bytes(der)), root[1])


def test_tampered_tbs_rejected(root) -> None:
    _, cert = issue(root, INFOS[Role.PHARMACY])
    der = cert.public_bytes(serialization.Encoding.DER)
    assert der.count(b"Corner Pharmacy") == 2
    forged = der.replace(b"Corner Pharmacy", b"Corner Pharmacz")
    with pytest.raises(InvalidCertificate, match="not signed"):
        idm.verify_member_certificate(idm.load_certificate(forged), root[1])


def test_other_root_rejected(root) -> None:
    other = idm.create_root("Rogue Consortium")
    _, cert = issue(other, INFOS[Role.DISTRIBUTOR])
    with pytest.raises(InvalidCertificate, match="not signed by this consortium root"):
        idm.verify_member_certificate(cert, root[1])


def test_same_name_other_root_rejected(root) -> None:
    clone = idm.create_root("Test Consortium")
    _, cert = issue(clone, INFOS[Role.DISTRIBUTOR])
    with pytest.raises(InvalidCertificate, match="not signed"):
        idm.verify_member_certificate(cert, root[1])


def test_expired_and_not_yet_valid(root) -> None:
    _, cert = issue(root, INFOS[Role.DISTRIBUTOR], days=30)
    now = datetime.now(UTC)
    idm.verify_member_certificate(cert, root[1], at=now + timedelta(days=29))
    with pytest.raises(InvalidCertificate, match="expired"):
        idm.verify_member_certificate(cert, root[1], at=now + timedelta(days=31))
    with pytest.raises(InvalidCertificate, match="not valid until"):
        idm.verify_member_certificate(cert, root[1], at=now - timedelta(days=1))
    with pytest.raises(ValueError):
        idm.verify_member_certificate(cert, root[1], at=datetime(2030, 1, 1))


def test_root_cert_is_not_a_member(root) -> None:
    with pytest.raises(InvalidCertificate, match="CA certificate"):
        idm.verify_member_certificate(root[1], root[1])


def _build(root, public_key, *, ext: bytes | None, gln: str = GLN_B) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "X"),
                    x509.NameAttribute(NameOID.COMMON_NAME, "X"),
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, gln),
                ]
            )
        )
        .issuer_name(root[1].subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(idm._key_usage(cert_sign=False), critical=True)
    )
    if ext is not None:
        builder = builder.add_extension(
            x509.UnrecognizedExtension(idm.MEMBER_INFO_OID, ext), critical=False
        )
    return builder.sign(root[0], None)


GOOD_EXT = b'{"gln":"4000000000013","prefixes":[],"role":"distributor"}'


@pytest.mark.parametrize(
    ("ext", "message"),
    [
        (None, "lacks the consortium member extension"),
        (b"not json", "not valid JSON"),
        (b'{"role":"distributor","gln":"4000000000013","prefixes":[]}', "not canonical"),
        (b'{"gln":"4000000000013","role":"distributor"}', "exactly gln, role and prefixes"),
        (b'{"gln":"4000000000013","prefixes":[],"role":"wholesaler"}', "unknown role"),
        (b'{"gln":"4000000000013","prefixes":["0614141"],"role":"distributor"}', "only a manuf"),
        (b'{"gln":"4000000000013","prefixes":"0614141","role":"distributor"}', "must be a list"),
    ],
)
def test_bad_member_extension(root, ext: bytes | None, message: str) -> None:
    cert = _build(root, keys.generate_member_key().public_key(), ext=ext)
    with pytest.raises(InvalidCertificate, match=message):
        idm.verify_member_certificate(cert, root[1])


def test_good_hand_built_certificate_verifies(root) -> None:
    cert = _build(root, keys.generate_member_key().public_key(), ext=GOOD_EXT)
    assert idm.verify_member_certificate(cert, root[1]).info.role is Role.DISTRIBUTOR


def test_subject_gln_must_match_extension(root) -> None:
    cert = _build(root, keys.generate_member_key().public_key(), ext=GOOD_EXT, gln=GLN_A)
    with pytest.raises(InvalidCertificate, match="GLN differs"):
        idm.verify_member_certificate(cert, root[1])


def test_non_ed25519_member_key_rejected(root) -> None:
    ec_key = generate_private_key(SECP256R1()).public_key()
    cert = _build(root, ec_key, ext=GOOD_EXT)
    with pytest.raises(InvalidCertificate, match="Ed25519"):
        idm.verify_member_certificate(cert, root[1])
    with pytest.raises(IdentityError):
        idm.issue_member_certificate(
            root[0], root[1], ec_key, INFOS[Role.DISTRIBUTOR]  # type: ignore[arg-type]
        )


def test_load_certificate_rejects_garbage() -> None:
    truncated_pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    for data in (b"", b"garbage", truncated_pem):
        with pytest.raises(InvalidCertificate):
            idm.load_certificate(data)


def test_wrong_root_key_refused(root) -> None:
    other_key, _ = idm.create_root("Other")
    with pytest.raises(IdentityError, match="root key"):
        idm.issue_member_certificate(
            other_key, root[1], keys.generate_member_key().public_key(), INFOS[Role.PHARMACY]
        )


# --- member info rules ----------------------------------------------------------
@pytest.mark.parametrize("role", [Role.DISTRIBUTOR, Role.PHARMACY, Role.REGULATOR])
def test_non_manufacturer_with_prefixes_rejected(role: Role) -> None:
    with pytest.raises(IdentityError, match="only a manufacturer"):
        MemberInfo("Shop", GLN_A, role, ("0614141",))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefixes": ()}, "at least one"),
        ({"prefixes": ("12345",)}, "6 to 12 digits"),
        ({"prefixes": ("1234567890123",)}, "6 to 12 digits"),
        ({"prefixes": ("1234", "1234")}, "duplicate"),
        ({"gln": "0614141000037"}, "check digit"),
        ({"gln": "061414100003"}, "13 digits"),
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "é" * 33}, "64 bytes"),
        ({"role": "wholesaler"}, "unknown role"),
    ],
)
def test_member_info_validation(kwargs: dict, message: str) -> None:
    fields = {"name": "Acme", "gln": GLN_A, "role": Role.MANUFACTURER, "prefixes": ("0614141",)}
    with pytest.raises(IdentityError, match=message):
        MemberInfo(**{**fields, **kwargs})


names = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S"], include_characters=" "),
    min_size=1,
    max_size=64,
).filter(lambda s: s == s.strip() and s.isprintable() and len(s.encode("utf-8")) <= 64)
def _allocatable(prefix: str) -> bool:
    try:
        check_company_prefix(prefix)
    except IdentityError:
        return False
    return True


prefixes = st.lists(  # plausible GS1 company prefixes (GS1 UK's 500-509), none nesting
    st.from_regex(r"50[0-9]{4,10}", fullmatch=True).filter(_allocatable),
    min_size=1, max_size=4, unique=True,
).filter(lambda ps: not any(a != b and a.startswith(b) for a in ps for b in ps))
glns = st.from_regex(r"[0-9]{12}", fullmatch=True).map(make_gln)


@settings(max_examples=25, deadline=None)
@given(name=names, gln=glns, role=st.sampled_from(Role), prefix_list=prefixes)
def test_member_info_survives_certificate(root, name, gln, role, prefix_list) -> None:
    chosen = tuple(prefix_list) if role is Role.MANUFACTURER else ()
    info = MemberInfo(name, gln, role, chosen)
    _, cert = issue(root, info)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert idm.verify_member_certificate(idm.load_certificate(der), root[1]).info == info


# --- private keys and passphrases ------------------------------------------------
def test_key_save_load_round_trip(tmp_path: Path) -> None:
    key = keys.generate_member_key()
    path = tmp_path / "member.key"
    keys.save_private_key(path, key, b"correct horse")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    loaded = keys.load_private_key(path, b"correct horse")
    assert loaded.private_bytes_raw() == key.private_bytes_raw()
    assert [p.name for p in tmp_path.iterdir()] == ["member.key"]  # no temp file left


def test_key_overwrite_is_atomic_replace(tmp_path: Path) -> None:
    path = tmp_path / "member.key"
    path.write_bytes(b"old")
    path.chmod(0o644)
    key = keys.generate_member_key()
    keys.save_private_key(path, key, b"pw")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.load_private_key(path, b"pw").private_bytes_raw() == key.private_bytes_raw()


def test_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "member.key"
    keys.save_private_key(path, keys.generate_member_key(), b"right")
    with pytest.raises(WrongPassphrase, match="SUPPLYCHAIN_PASSPHRASE"):
        keys.load_private_key(path, b"wrong")


def test_missing_and_corrupt_key_files(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="cannot read"):
        keys.load_private_key(tmp_path / "absent.key", b"pw")
    bad = tmp_path / "bad.key"
    bad.write_bytes(b"not a key")
    with pytest.raises(IdentityError) as info:
        keys.load_private_key(bad, b"pw")
    assert not isinstance(info.value, WrongPassphrase)
    plain = tmp_path / "plain.key"
    plain.write_bytes(
        keys.generate_member_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(IdentityError, match="not an encrypted"):
        keys.load_private_key(plain, b"pw")


def test_empty_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(NoPassphrase):
        keys.save_private_key(tmp_path / "k", keys.generate_member_key(), b"")


def test_save_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match="Cannot write"):
        keys.save_private_key(tmp_path / "no" / "k", keys.generate_member_key(), b"pw")


def test_resolve_passphrase_precedence(tmp_path: Path) -> None:
    pw_file = tmp_path / "pw"
    pw_file.write_bytes(b"from file\n")
    env = {"SUPPLYCHAIN_PASSPHRASE": "from env"}
    assert keys.resolve_passphrase(pw_file, env=env) == b"from file"
    assert keys.resolve_passphrase(None, env=env) == b"from env"
    pw_file.write_bytes(b"two newlines\n\n")
    assert keys.resolve_passphrase(pw_file, env={}) == b"two newlines\n"
    pw_file.write_bytes(b"crlf\r\n")
    assert keys.resolve_passphrase(pw_file, env={}) == b"crlf"
    with pytest.raises(NoPassphrase, match="--passphrase-file FILE"):
        keys.resolve_passphrase(None, env={})
    with pytest.raises(NoPassphrase):
        keys.resolve_passphrase(None, env={"SUPPLYCHAIN_PASSPHRASE": ""})
    with pytest.raises(IdentityError, match="cannot read passphrase file"):
        keys.resolve_passphrase(tmp_path / "absent", env=env)


# --- revocations ----------------------------------------------------------------
@pytest.fixture(scope="module")
def member(root) -> idm.Member:
    _, cert = issue(root, INFOS[Role.DISTRIBUTOR])
    return idm.verify_member_certificate(cert, root[1])


@pytest.fixture(scope="module")
def revocation(root, member) -> Revocation:
    when = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    return revocations.sign_revocation(root[0], member.info.gln, member.serial, 7, "key stolen",
                                       when)


def test_revocation_sign_verify(root, revocation: Revocation) -> None:
    assert revocation.revoked_at == "2025-03-01T12:00:00.123+00:00"  # the clock's precision
    revocation.verify(root[1])
    assert b'"type":"supplychain.revocation.v1"' in revocation.signed_bytes()
    assert b"signature" not in revocation.signed_bytes()


def test_revocation_round_trip(revocation: Revocation) -> None:
    d = revocation.to_dict()
    assert isinstance(d["cert_serial"], str)
    assert Revocation.from_dict(d) == revocation


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "key lost"},
        {"valid_log_size": 8},
        {"gln": GLN_A},
        {"revoked_at": "2025-03-01T12:00:01+00:00"},
    ],
)
def test_tampered_revocation_rejected(root, revocation: Revocation, change: dict) -> None:
    forged = Revocation.from_dict({**revocation.to_dict(), **change})
    with pytest.raises(IdentityError, match="not signed by the consortium root"):
        forged.verify(root[1])


def test_revocation_by_other_root_rejected(root, member) -> None:
    other_key, _ = idm.create_root("Rogue")
    rev = revocations.sign_revocation(other_key, member.info.gln, member.serial, 0, "spite")
    with pytest.raises(IdentityError, match="not signed by the consortium root"):
        rev.verify(root[1])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("reason"),
        lambda d: d.pop("signature"),
        lambda d: d.update(extra=1),
        lambda d: d.update(type="supplychain.other.v1"),
        lambda d: d.update(cert_serial=int(d["cert_serial"])),
        lambda d: d.update(cert_serial="0" + d["cert_serial"]),
        lambda d: d.update(valid_log_size=True),
        lambda d: d.update(valid_log_size=-1),
        lambda d: d.update(revoked_at="2025-03-01T12:00:00"),
        lambda d: d.update(revoked_at="2025-03-01T12:00:00+01:00"),
        lambda d: d.update(signature="!!!"),
        lambda d: d.update(signature="AAAA"),
        lambda d: d.update(gln="1234"),
        lambda d: d.update(reason=""),
    ],
)
def test_revocation_from_dict_is_strict(revocation: Revocation, mutate) -> None:
    d = revocation.to_dict()
    mutate(d)
    with pytest.raises(IdentityError):
        Revocation.from_dict(d)


def test_revocation_check_entry(root, member, revocation: Revocation) -> None:
    assert revocation.applies_to(member)
    revocation.check_entry(member, 6)
    with pytest.raises(RevokedMember, match="index 7"):
        revocation.check_entry(member, 7)
    _, other_cert = issue(root, INFOS[Role.PHARMACY])
    other = idm.verify_member_certificate(other_cert, root[1])
    assert not revocation.applies_to(other)
    revocation.check_entry(other, 100)
