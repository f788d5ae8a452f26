"""The consortium's witness policy, in the C2SP tlog-policy text format (k-of-n witnesses).

Example (the default when the member directory carries no policy: the regulator's node is the
one witness)::

    witness 4012345000009 supplychain.witness/4012345000009+1a2b3c4d+BFd1...
    quorum 4012345000009

Lines: ``log <vkey> [<url>]`` (parsed and checked, but our logs are the members of the
directory: a log's key is its member certificate), ``witness <name> <vkey> [<url>]``,
``group <name> all|any|<k> <name>...``, exactly one ``quorum <name>`` (``none``: no
cosignature needed). Witness vkeys are signed-note verifier keys of signature type 0x04
(tlog-cosignature Ed25519). The parser is strict where the spec says "must": names defined
before use, each member listed once per group, 1 <= k <= n, no duplicate keys, only tab,
newline and printable characters.

A witness here is a member node signing with its member key (see docs/SYNC.md, "Witnesses"),
under the key name ``supplychain.witness/<GLN>``; ``member_witness_line`` writes its line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from supplychain.errors import WitnessPolicyError
from supplychain.i18n import _

COSIGNATURE_TYPE = 0x04
"""signed-note signature type of tlog-cosignature's timestamped Ed25519 cosignatures."""
LOG_SIGNATURE_TYPE = 0x01
MAX_POLICY_BYTES = 64 * 1024
MAX_POLICY_LINES = 1000
WITNESS_KEY_PREFIX = "supplychain.witness/"
NONE = "none"
_WS = re.compile(r"[ \t]+")
_KEY_ID_RE = re.compile(r"[0-9a-f]{8}")


def witness_key_name(gln: str) -> str:
    """The signed-note key name of the witness run by member ``gln``."""
    return f"{WITNESS_KEY_PREFIX}{gln}"


def cosigner_key_id(key_name: str, public_key: bytes) -> bytes:
    """tlog-cosignature Ed25519 key ID: SHA-256(name || 0x0A || 0x04 || key)[:4]."""
    return hashlib.sha256(key_name.encode("utf-8") + b"\n" + bytes([COSIGNATURE_TYPE])
                          + public_key).digest()[:4]


@dataclass(frozen=True)
class Vkey:
    """A signed-note verifier key: ``<name>+<hex key ID>+base64(type || public key)``."""

    key_name: str
    key_id: bytes
    key_type: int
    public_key: bytes

    def to_text(self) -> str:
        raw = base64.b64encode(bytes([self.key_type]) + self.public_key).decode("ascii")
        return f"{self.key_name}+{self.key_id.hex()}+{raw}"

    @classmethod
    def parse(cls, text: str) -> Vkey:
        parts = text.split("+", 2)  # the name has no "+", the base64 may
        if len(parts) != 3 or not parts[0] or not _KEY_ID_RE.fullmatch(parts[1]):
            raise WitnessPolicyError(_("{text!r} is not a verifier key "
                                       "(name+hexid+base64)").format(text=text[:80]))
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            raise WitnessPolicyError(_("verifier key {name!r}: the key is not base64")
                                     .format(name=parts[0])) from None
        if len(raw) != 33 or base64.b64encode(raw).decode("ascii") != parts[2]:
            raise WitnessPolicyError(_("verifier key {name!r}: expected a type byte and a "
                                       "32-byte Ed25519 key").format(name=parts[0]))
        vkey = cls(parts[0], bytes.fromhex(parts[1]), raw[0], raw[1:])
        expected = (cosigner_key_id(vkey.key_name, vkey.public_key)
                    if vkey.key_type == COSIGNATURE_TYPE else
                    hashlib.sha256(vkey.key_name.encode() + b"\n" + raw).digest()[:4])
        if expected != vkey.key_id:
            raise WitnessPolicyError(_("verifier key {name!r}: key ID {got} does not match the "
                                       "key (expected {expected})")
                                     .format(name=vkey.key_name, got=parts[1],
                                             expected=expected.hex()))
        return vkey


def cosigner_vkey(key_name: str, public_key: bytes) -> Vkey:
    return Vkey(key_name, cosigner_key_id(key_name, public_key), COSIGNATURE_TYPE, public_key)


@dataclass(frozen=True)
class PolicyWitness:
    name: str
    vkey: Vkey
    url: str | None = None


@dataclass(frozen=True)
class PolicyGroup:
    name: str
    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class WitnessPolicy:
    """A parsed tlog-policy: known logs, witnesses, groups and the quorum rule."""

    logs: tuple[Vkey, ...]
    witnesses: tuple[PolicyWitness, ...]
    groups: tuple[PolicyGroup, ...]
    quorum: str
    text: str

    def witness(self, key_name: str, key_id: bytes) -> PolicyWitness | None:
        """The witness whose vkey has this key name and key ID (None: unknown key)."""
        for w in self.witnesses:
            if w.vkey.key_name == key_name and w.vkey.key_id == key_id:
                return w
        return None

    def satisfied_by(self, vouched: Iterable[str]) -> bool:
        """True if witnesses named ``vouched`` (policy names) meet the quorum."""
        done = set(vouched) & {w.name for w in self.witnesses}
        for group in self.groups:  # defined in order: members before the groups using them
            if sum(1 for m in group.members if m in done) >= group.threshold:
                done.add(group.name)
        return self.quorum == NONE or self.quorum in done


def parse_policy(data: str | bytes) -> WitnessPolicy:
    """Parse tlog-policy text; WitnessPolicyError names the line and what is wrong."""
    if len(data) > MAX_POLICY_BYTES:
        raise WitnessPolicyError(_("A witness policy is at most {limit} bytes.")
                                 .format(limit=MAX_POLICY_BYTES))
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    if any(b < 0x20 and b not in (0x09, 0x0A) or b == 0x7F for b in raw):
        raise WitnessPolicyError(_("A witness policy may hold no control characters but tab "
                                   "and newline."))
    text = raw.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if len(lines) > MAX_POLICY_LINES:
        raise WitnessPolicyError(_("A witness policy has at most {limit} lines.")
                                 .format(limit=MAX_POLICY_LINES))
    logs: list[Vkey] = []
    witnesses: list[PolicyWitness] = []
    groups: list[PolicyGroup] = []
    names: set[str] = set()
    keys: set[bytes] = set()
    quorum: str | None = None
    for number, line in enumerate(lines, 1):
        words = _WS.split(line.strip(" \t"))
        if words == [""] or words[0].startswith("#"):
            continue
        try:
            quorum = _line(words, logs, witnesses, groups, names, keys, quorum)
        except WitnessPolicyError as exc:
            raise WitnessPolicyError(_("Witness policy line {number}: {exc}")
                                     .format(number=number, exc=exc)) from None
    if quorum is None:
        raise WitnessPolicyError(_("A witness policy needs one 'quorum' line."))
    return WitnessPolicy(tuple(logs), tuple(witnesses), tuple(groups), quorum, text)


def _line(words: list[str], logs: list[Vkey], witnesses: list[PolicyWitness],
          groups: list[PolicyGroup], names: set[str], keys: set[bytes],
          quorum: str | None) -> str | None:
    keyword, args = words[0], words[1:]
    if keyword == "log" and len(args) in (1, 2):
        vkey = _key(Vkey.parse(args[0]), LOG_SIGNATURE_TYPE, keys)
        logs.append(vkey)
    elif keyword == "witness" and len(args) in (2, 3):
        name = _new_name(args[0], names)
        vkey = _key(Vkey.parse(args[1]), COSIGNATURE_TYPE, keys)
        witnesses.append(PolicyWitness(name, vkey, args[2] if len(args) == 3 else None))
    elif keyword == "group" and len(args) >= 3:
        name, k, members = _new_name(args[0], names), args[1], args[2:]
        for m in members:
            if m not in names or m == name:
                raise WitnessPolicyError(_("group member {m!r} is not defined above")
                                         .format(m=m))
        if len(set(members)) != len(members):
            raise WitnessPolicyError(_("group {name!r} lists a member twice").format(name=name))
        threshold = (len(members) if k == "all" else 1 if k == "any"
                     else int(k) if re.fullmatch(r"[1-9][0-9]{0,5}", k) else 0)
        if not 1 <= threshold <= len(members):
            raise WitnessPolicyError(_("group {name!r}: threshold {k!r} must be all, any or a "
                                       "number from 1 to {n}")
                                     .format(name=name, k=k, n=len(members)))
        groups.append(PolicyGroup(name, threshold, tuple(members)))
    elif keyword == "quorum" and len(args) == 1:
        if quorum is not None:
            raise WitnessPolicyError(_("a second 'quorum' line"))
        if args[0] != NONE and args[0] not in names:
            raise WitnessPolicyError(_("quorum {name!r} is not defined above")
                                     .format(name=args[0]))
        return args[0]
    else:
        raise WitnessPolicyError(_("expected 'log <vkey> [url]', 'witness <name> <vkey> "
                                   "[url]', 'group <name> <k> <names>' or 'quorum <name>', "
                                   "got {line!r}").format(line=" ".join(words)[:80]))
    return quorum


def _new_name(name: str, names: set[str]) -> str:
    if name == NONE or name in names:
        raise WitnessPolicyError(_("the name {name!r} is reserved or defined twice")
                                 .format(name=name))
    names.add(name)
    return name


def _key(vkey: Vkey, key_type: int, keys: set[bytes]) -> Vkey:
    if vkey.key_type != key_type:
        raise WitnessPolicyError(_("key {name!r} has signature type {got:#04x}, expected "
                                   "{want:#04x}").format(name=vkey.key_name, got=vkey.key_type,
                                                         want=key_type))
    if vkey.public_key in keys:
        raise WitnessPolicyError(_("key {name!r} is listed twice").format(name=vkey.key_name))
    keys.add(vkey.public_key)
    return vkey


def member_witness_line(gln: str, public_key: bytes, url: str | None = None) -> str:
    """The ``witness`` line for the witness run by member ``gln`` with its raw member key."""
    vkey = cosigner_vkey(witness_key_name(gln), public_key)
    return f"witness {gln} {vkey.to_text()}" + (f" {url}" if url else "")


def member_policy(witnesses: Iterable[tuple[str, bytes]], quorum: int | None = None) -> str:
    """Policy text for member witnesses ``(gln, raw key)``: ``quorum`` of them (default all;
    one witness is the quorum itself, none gives ``quorum none``)."""
    chosen = sorted(witnesses)
    lines = [member_witness_line(gln, key) for gln, key in chosen]
    if not chosen:
        return "quorum none\n"
    if len(chosen) == 1 and quorum in (None, 1):
        return lines[0] + f"\nquorum {chosen[0][0]}\n"
    k = len(chosen) if quorum is None else quorum
    members = " ".join(gln for gln, _pub in chosen)
    return "\n".join(lines) + f"\ngroup witnesses {k} {members}\nquorum witnesses\n"
