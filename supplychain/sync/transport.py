"""aiohttp adapters: the sync API server and the HTTP PeerSource (client), over mutual TLS.

Thin by design: requests are validated and answered by ``protocol`` and ``replica``; this
module moves bytes, enforces size limits and timeouts, and checks the peer's certificate.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from supplychain.errors import (
    NotEntitled,
    PeerRefused,
    PeerTimeout,
    PeerUnreachable,
    ProtocolError,
    RateLimited,
    ReadForbidden,
    SupplyChainError,
)
from supplychain.i18n import _
from supplychain.identity.certificates import Member
from supplychain.jsonlimits import load_json
from supplychain.ledger.membership import sharing_policy
from supplychain.ledger.witnessing import WitnessAnswer
from supplychain.sync.access import Caller, Read, Rule, decide
from supplychain.sync.answers import Answers
from supplychain.sync.protocol import (
    FORMAT_HEALTH,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    PATH_CHECKPOINTS,
    PATH_CONSISTENCY,
    PATH_DIRECTORY,
    PATH_ENTRIES,
    PATH_HEALTH,
    PATH_INCLUSION,
    PATH_NOTIFY,
    PATH_PUSH,
    CheckpointsDoc,
    DirectoryDoc,
    EntriesDoc,
    EntriesRequest,
    Notice,
    ProofDoc,
    StoreRunner,
    check_gln,
    dump_document,
    load_document,
)
from supplychain.sync.questions import (
    PATH_MEMBER_ENTRIES,
    PATH_PACK,
    MemberEntriesDoc,
    PackDoc,
    PackQuery,
    parse_since,
)
from supplychain.sync.replica import REFUSED_CONNECTION, REFUSED_READ, Replica
from supplychain.sync.tls import authenticate_peer
from supplychain.sync.witness_client import PATH_ADD_CHECKPOINT

log = logging.getLogger("supplychain.sync")

NoticeHandler = Callable[[Member, Notice], None]
WitnessHandler = Callable[[bytes, str], Awaitable[WitnessAnswer]]
PushHandler = Callable[[web.Request, Member], Awaitable[web.Response]]

MEMBER_KEY = web.RequestKey("member", Member)


def _json(doc: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(body=dump_document(doc), status=status,
                        content_type="application/json")


def _error(status: int, message: str) -> web.Response:
    return _json({"error": message}, status)


#: Server-side limits against slow or greedy peers (SyncService passes its own values).
HEADER_TIMEOUT = 20.0  # seconds for a connection to deliver a complete request head
REQUEST_TIMEOUT = 60.0  # seconds to read a request's body and answer it
MAX_IN_FLIGHT = 8  # requests one member may have open at once


def _limits(request_timeout: float, max_in_flight: int) -> Any:
    """Middleware (inside ``authenticate``): at most ``max_in_flight`` open requests per
    member (503 beyond), each read and answered within ``request_timeout`` (408 beyond), so a
    peer that trickles its body or floods us cannot hold the server."""
    open_requests: dict[str, int] = {}

    @web.middleware
    async def limits(request: web.Request, handler: Any) -> web.StreamResponse:
        gln = request[MEMBER_KEY].info.gln
        if open_requests.get(gln, 0) >= max_in_flight:
            return _error(503, f"At most {max_in_flight} requests at once per member.")
        open_requests[gln] = open_requests.get(gln, 0) + 1
        try:
            async with asyncio.timeout(request_timeout):
                return await handler(request)  # type: ignore[no-any-return]
        except TimeoutError:
            log.warning("request %s from %s took over %gs; cut off", request.path, gln,
                        request_timeout)
            return _error(408, f"The request was not completed within {request_timeout:g}s.")
        finally:
            open_requests[gln] -= 1
            if not open_requests[gln]:
                del open_requests[gln]

    return limits


def make_app(replica: Replica, run: StoreRunner, name: str,
             on_notice: NoticeHandler | None = None, *,
             request_timeout: float = REQUEST_TIMEOUT,
             max_in_flight: int = MAX_IN_FLIGHT,
             on_push: PushHandler | None = None,
             witness: WitnessHandler | None = None,
             replica_of: str | None = None) -> web.Application:
    """The sync API as an aiohttp Application (serve it with an ssl server_context, and a
    runner whose ``keepalive_timeout`` is the header timeout: see ``server_runner``).

    Every request is checked against the consortium's sharing policy (``sync.access``);
    ``on_push`` answers ``POST /v1/logs/{gln}/push`` (``sync.push.push_handler``).
    ``replica_of`` (an answer node on a read replica; text naming the primary): the reads
    only; pushes, notices and checkpoints to witness answer 503 with that text, and /health
    says ``"replica": true``."""
    verified: dict[bytes, Member] = {}

    @web.middleware
    async def authenticate(request: web.Request, handler: Any) -> web.StreamResponse:
        transport = request.transport
        ssl_object = transport.get_extra_info("ssl_object") if transport else None
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        peer = transport.get_extra_info("peername") if transport else None
        try:  # checked on every request: a revocation takes effect without a restart
            member = await run(lambda: authenticate_peer(der, replica.ledger,
                                                         verified.get(der or b"")))
            verified[der or b""] = member
        except PeerRefused as exc:
            reason, host = str(exc), str(peer[0] if peer else "?")
            log.warning("refused request from %s: %s", host, reason)
            await run(lambda: replica.record(REFUSED_CONNECTION, host, "-",
                                             f"403 {request.path}: {reason}", reason))
            return _error(403, reason)
        request[MEMBER_KEY] = member
        try:
            return await handler(request)  # type: ignore[no-any-return]
        except ProtocolError as exc:
            return _error(400, str(exc))
        except ReadForbidden as exc:
            return _error(403, str(exc))
        except RateLimited as exc:
            response = _error(429, str(exc))
            response.headers["Retry-After"] = str(max(1, round(exc.retry_after + 0.5)))
            return response
        except SupplyChainError as exc:
            log.error("request %s failed: %s", request.path_qs, exc)
            return _error(500, "internal error")
        except web.HTTPException:
            raise  # aiohttp's own answers: 404, 405, 413 ...
        except Exception:  # noqa: BLE001 - one request's fault never ends the server
            log.exception("request %s from %s failed unexpectedly", request.path_qs,
                          member.info.gln)
            return _error(500, "internal error")

    async def refused(request: web.Request, read: Read, log_gln: str | None) -> web.Response | None:
        """None when the sharing policy allows ``read``; else the 403 (logged, and stored
        as ``refused_read`` evidence: repeats are counted, not duplicated)."""
        member = request[MEMBER_KEY]
        policy = await run(lambda: sharing_policy(replica.ledger))
        decision = decide(Caller(member.info.gln, member.info.role), policy, read, log_gln)
        if decision:
            return None
        caller = member.info.gln
        log.warning("refused %s of log %s to %s (%s): %s", read.value, log_gln, member.info.name,
                    caller, decision.reason)
        evidence = json.dumps({"caller": caller, "role": member.info.role.value,
                               "read": read.value, "log": log_gln, "rule": decision.rule.value,
                               "policy": policy.to_dict()}, sort_keys=True)
        await run(lambda: replica.record(REFUSED_READ, log_gln or "-", caller,
                                         f"403 {request.path}: {decision.reason}", evidence))
        return _json({"error": decision.reason, "rule": decision.rule.value}, 403)

    async def health(request: web.Request) -> web.Response:
        doc: dict[str, Any] = {"format": FORMAT_HEALTH, "gln": replica.gln, "name": name,
                               "status": "ok"}
        if replica_of is not None:
            doc["replica"] = True
        return _json(doc)

    async def read_only(request: web.Request) -> web.Response:
        """A write sent to an answer node on a read replica: nothing is read or kept."""
        assert replica_of is not None
        return _error(503, replica_of)

    async def checkpoints(request: web.Request) -> web.Response:
        doc = await run(replica.checkpoints_doc)
        return _json(doc.to_json())

    async def directory(request: web.Request) -> web.Response:
        doc = await run(replica.directory_doc)
        return _json(doc.to_json())

    def _gln(request: web.Request) -> str:
        return check_gln(request.match_info["gln"])

    def log_read(read: Read, doc_of: Callable[[str, dict[str, str]], Any]
                 ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """A handler for one read of one log: the sharing policy decides, then the replica
        answers (``doc_of(gln, query)``)."""
        async def handle(request: web.Request) -> web.Response:
            gln, params = _gln(request), dict(request.query)
            if (denied := await refused(request, read, gln)) is not None:
                return denied
            doc = await run(lambda: doc_of(gln, params))
            return _json(doc.to_json())
        return handle

    entries = log_read(Read.LOG_ENTRIES, replica.entries_doc)
    consistency = log_read(Read.LOG_CONSISTENCY, replica.consistency_doc)
    inclusion = log_read(Read.LOG_INCLUSION, replica.inclusion_doc)

    answers = Answers(replica.ledger)

    async def pack(request: web.Request) -> web.Response:
        query = PackQuery.parse(request.match_info["gtin"], request.match_info["serial"],
                                dict(request.query))
        info = request[MEMBER_KEY].info
        doc = await run(lambda: answers.pack_doc(info, query))
        return _json(doc.to_json())

    async def member_entries(request: web.Request) -> web.Response:
        gln, since = _gln(request), parse_since(dict(request.query))
        info = request[MEMBER_KEY].info
        doc = await run(lambda: answers.member_entries_doc(info, gln, since))
        return _json(doc.to_json())

    async def push(request: web.Request) -> web.Response:
        gln = _gln(request)
        if (denied := await refused(request, Read.PUSH, gln)) is not None:
            return denied
        if on_push is None:
            return _error(404, "This node does not accept pushes.")
        return await on_push(request, request[MEMBER_KEY])

    async def notify(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return _error(413, f"A notice is at most {MAX_REQUEST_BYTES} bytes.")
        notice = Notice.parse(await request.read())
        member = request[MEMBER_KEY]
        log.info("notice from %s (%s): %d log(s)", member.info.name, member.info.gln,
                 len(notice.logs))
        if on_notice is not None:
            on_notice(member, notice)
        return _json({"accepted": True}, 202)

    async def add_checkpoint(request: web.Request) -> web.Response:
        if witness is None:
            return web.Response(status=404, text="this node is not a witness\n")
        if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
            return web.Response(status=413, text=f"at most {MAX_REQUEST_BYTES} bytes\n")
        answer = await witness(await request.read(), request[MEMBER_KEY].info.gln)
        content_type, _sep, charset = answer.content_type.partition("; charset=")
        return web.Response(status=answer.status, text=answer.body, content_type=content_type,
                            charset=charset or None)

    app = web.Application(middlewares=[authenticate, _limits(request_timeout, max_in_flight)],
                          client_max_size=MAX_REQUEST_BYTES)
    app.router.add_get(PATH_HEALTH, health)
    app.router.add_get(PATH_CHECKPOINTS, checkpoints)
    app.router.add_get(PATH_DIRECTORY, directory)
    app.router.add_get(PATH_ENTRIES, entries)
    app.router.add_get(PATH_CONSISTENCY, consistency)
    app.router.add_get(PATH_INCLUSION, inclusion)
    app.router.add_get(PATH_PACK, pack)
    app.router.add_get(PATH_MEMBER_ENTRIES, member_entries)
    writes = {PATH_NOTIFY: notify, PATH_PUSH: push, PATH_ADD_CHECKPOINT: add_checkpoint}
    for path, handler in writes.items():
        app.router.add_post(path, handler if replica_of is None else read_only)
    return app


def server_runner(app: web.Application, header_timeout: float = HEADER_TIMEOUT) -> web.AppRunner:
    """The runner to serve the sync API with. aiohttp closes a connection that has not
    delivered a complete request head ``header_timeout`` seconds after it opened (or after
    its previous answer): a peer sending its headers byte by byte (slowloris) is cut off."""
    return web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0,
                         keepalive_timeout=header_timeout)


class HttpPeer:
    """A PeerSource over HTTPS with mutual TLS; every response is size-limited and checked."""

    def __init__(self, url: str, session: aiohttp.ClientSession, replica: Replica,
                 run: StoreRunner) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.replica = replica
        self.run = run
        self.peer_gln: str | None = None
        self._checked: set[bytes] = set()

    async def _get(self, path: str, params: dict[str, str] | None = None) -> bytes:
        return await self._request("GET", path, params=params)

    async def _request(self, method: str, path: str, *,
                       accept: tuple[int, ...] = (200, 202),
                       status_out: list[int] | None = None, **kw: Any) -> bytes:
        try:
            async with self.session.request(method, self.url + path, **kw) as resp:
                await self._check_identity(resp)
                body = await read_capped(resp, path, MAX_RESPONSE_BYTES)
                if resp.status == 403 and _refused_rule(body) == Rule.NEED_TO_KNOW:
                    raise NotEntitled(_("{url} withholds {path}: not entitled to pull this "
                                        "whole log; a light node gets what names it")
                                      .format(url=self.url, path=path))
                if resp.status == 403:
                    raise PeerRefused(_("{url} refused us (403): {value!r}")
                                      .format(url=self.url, value=body[:200]))
                if resp.status not in accept:
                    raise ProtocolError(_("{path}: HTTP {status}: {value!r}")
                                        .format(path=path, status=resp.status, value=body[:200]))
                if status_out is not None:
                    status_out.append(resp.status)
                return body
        except (ssl.SSLError, aiohttp.ClientSSLError) as exc:
            raise PeerRefused(_("TLS with {url} failed (not a consortium member, or it "
                                "refused our certificate): {exc}")
                              .format(url=self.url, exc=exc)) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise client_failure(exc, self.url, path) from None

    async def _check_identity(self, resp: aiohttp.ClientResponse) -> None:
        # A small response may already have released its connection: fall back to the
        # response's protocol (aiohttp keeps it) to reach the TLS transport.
        conn = resp.connection
        transport = conn.transport if conn is not None else None
        if transport is None:
            protocol = getattr(resp, "_protocol", None)
            transport = getattr(protocol, "transport", None)
        ssl_object = transport.get_extra_info("ssl_object") if transport else None
        if ssl_object is None:
            if self._checked:  # pooled connection to the same peer, checked before
                return
            raise ProtocolError(_("Could not read {url}'s TLS certificate.").format(url=self.url))
        der = ssl_object.getpeercert(binary_form=True)
        if der in self._checked:
            return
        member = await self.run(lambda: authenticate_peer(der, self.replica.ledger))
        self.peer_gln = member.info.gln
        self._checked.add(der)

    async def health(self) -> dict[str, Any]:
        return load_document(await self._get(PATH_HEALTH), FORMAT_HEALTH)

    async def checkpoints(self) -> CheckpointsDoc:
        return CheckpointsDoc.parse(await self._get(PATH_CHECKPOINTS))

    async def directory(self) -> DirectoryDoc:
        return DirectoryDoc.parse(await self._get(PATH_DIRECTORY))

    async def consistency(self, gln: str, old: int, new: int) -> ProofDoc:
        body = await self._get(PATH_CONSISTENCY.format(gln=gln),
                               {"old": str(old), "new": str(new)})
        return ProofDoc.parse(body, gln, "consistency", old, new)

    async def entries(self, request: EntriesRequest) -> EntriesDoc:
        body = await self._get(PATH_ENTRIES.format(gln=request.gln), request.query())
        return EntriesDoc.parse(body, request)

    async def pack(self, query: PackQuery) -> PackDoc:
        body = await self._get(PATH_PACK.format(gtin=query.gtin, serial=quote(query.serial,
                                                                              safe="")),
                               query.query())
        return PackDoc.parse(body, query)

    async def member_entries(self, gln: str, since: int) -> MemberEntriesDoc:
        body = await self._get(PATH_MEMBER_ENTRIES.format(gln=gln), {"since": str(since)})
        return MemberEntriesDoc.parse(body, gln, since)

    async def post(self, path: str, doc: dict[str, Any],
                   accept: tuple[int, ...] = (200, 202)) -> tuple[int, bytes]:
        """POST a JSON document; the status and body of an accepted answer."""
        status: list[int] = []
        body = await self._request("POST", path, accept=accept, data=dump_document(doc),
                                   headers={"Content-Type": "application/json"},
                                   status_out=status)
        return status[0], body

    async def notify(self, notice: Notice) -> None:
        await self._request("POST", PATH_NOTIFY, data=dump_document(notice.to_json()),
                            headers={"Content-Type": "application/json"})


def client_session(ctx: ssl.SSLContext, timeout: float) -> aiohttp.ClientSession:
    """One session per round: pooled TLS connections, a deadline on every request."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=ctx, limit_per_host=4),
        timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 5.0),
                                      sock_read=timeout))


_NO_ROUTE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN})


def _refused_rule(body: bytes) -> str | None:
    """The sharing rule a 403 names (``{"error", "rule"}``), if any."""
    try:
        doc = load_json(body, max_bytes=4096, max_depth=2, what="A 403 answer",
                        error=ProtocolError)
    except ProtocolError:
        return None
    rule = doc.get("rule") if isinstance(doc, dict) else None
    return rule if isinstance(rule, str) else None


async def read_capped(resp: aiohttp.ClientResponse, path: str, limit: int) -> bytes:
    """The body of ``resp``, refused past ``limit`` bytes: from Content-Length when it is
    sent, and while reading (a server may send more than it announced, or no length)."""
    if resp.content_length is not None and resp.content_length > limit:
        raise ProtocolError(_("{path}: response of {length} bytes exceeds the {limit}-byte "
                              "limit.").format(path=path, length=resp.content_length,
                                               limit=limit))
    chunks: list[bytes] = []
    total = 0
    while chunk := await resp.content.read(1 << 16):
        total += len(chunk)
        if total > limit:
            raise ProtocolError(_("{path}: response exceeds the {limit}-byte limit.")
                                .format(path=path, limit=limit))
        chunks.append(chunk)
    return b"".join(chunks)


def client_failure(exc: TimeoutError | aiohttp.ClientError, url: str,
                   path: str) -> SupplyChainError:
    """The typed error for a request to ``url`` that failed in aiohttp: no answer in time,
    a broken body, or no connection (``connection_problem`` says why)."""
    if isinstance(exc, TimeoutError):
        return PeerTimeout(_("{url} did not answer {path} in time.").format(url=url, path=path))
    if isinstance(exc, aiohttp.ClientPayloadError):
        return ProtocolError(_("{path}: broken response body ({exc}).")
                             .format(path=path, exc=exc))
    return PeerUnreachable(_("{url} is unreachable: {exc}").format(url=url, exc=exc),
                           connection_problem(exc))


def connection_problem(exc: aiohttp.ClientError) -> str:
    """aiohttp's connection error, shortened to what an operator can act on (from the
    exception's type and OS error number, not its text)."""
    os_error = getattr(exc, "os_error", None)
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(os_error, socket.gaierror):
        return _("unknown host name")
    if isinstance(os_error, ConnectionRefusedError):
        return _("connection refused: nothing answers at that address and port")
    if isinstance(os_error, OSError) and os_error.errno in _NO_ROUTE:
        return _("no network route to that address")
    detail = str(exc)
    return detail if len(detail) <= 90 else detail[:89] + "…"
