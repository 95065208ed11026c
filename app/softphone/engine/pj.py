"""Typed adapter around the untyped pjsua2 module: with ``headset.pjport`` (the headset bridge's
audio port), the only module in Frontline importing pjsua2.

Everything here runs on the SIP thread (the thread that constructed `Library`), except
`_LogWriter.write`, which pjsip calls from whichever thread logs (it only hands text to `logging`).
pjsua2 aborts the process when called from an unregistered thread or when a Call/recorder is still
alive at ``libDestroy`` (LAB.md), so the owner keeps strong references and drops them in order.

Every way into pjsua2 here (the library, accounts, calls, conference connections, players and
recorders) is marked `@sip_thread_only`: called from any other thread while the SIP thread holds
`Role.SIP`, it raises `ThreadRuleBroken` in the test run, before pjsua2 could abort the process
(app/thread_rules.py).  The callbacks pjsua2 makes into Python (``_Pj*.on*``) are not entries.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

import pjsua2 as pj

from app.thread_rules import Role, require_role

log = logging.getLogger("app.softphone.pjsip")

_INV_STATES = {
    pj.PJSIP_INV_STATE_NULL: "null",
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}
_MEDIA_STATUS = {
    pj.PJSUA_CALL_MEDIA_NONE: "none",
    pj.PJSUA_CALL_MEDIA_ACTIVE: "active",
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD: "local_hold",
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD: "remote_hold",
    pj.PJSUA_CALL_MEDIA_ERROR: "error",
}
_TRANSPORTS = {
    "udp": pj.PJSIP_TRANSPORT_UDP,
    "tcp": pj.PJSIP_TRANSPORT_TCP,
    "tls": pj.PJSIP_TRANSPORT_TLS,
}
# pjsua's level-1 log line when the refusal account turns an INVITE away with 488 (see RefusalAccount)
_REFUSED_BY_DESIGN = "Error initializing media channel: Not Acceptable Here"
# ... and when a call's audio is taken off the headset after pjsua already destroyed the stream (it
# does so before it reports DISCONNECTED): `AudioPort.stop_transmit` expects this and carries on.
_GONE_BY_DESIGN = "pjsua_conf_disconnect(id, sink.id) error: Invalid value or argument (PJ_EINVAL)"
_SECRET_HEADER = re.compile(r"^((?:Proxy-)?Authorization:).*$", re.IGNORECASE | re.MULTILINE)


PJSIP_EBUSY = 171001  # pjsip's "object is busy": e.g. a REGISTER is already under way

_P = ParamSpec("_P")
_R = TypeVar("_R")


def sip_thread_only(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """Mark a way into pjsua2: it must run on the SIP thread (`Role.SIP`, see app/thread_rules.py)."""
    what = f"pjsua2 {method.__qualname__}"

    @functools.wraps(method)
    def on_sip_thread(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        require_role(Role.SIP, what)
        return method(*args, **kwargs)

    return on_sip_thread


class SipError(RuntimeError):
    """A pjsua2 operation failed (pj.Error turned into a Python exception with a readable text)."""

    def __init__(self, text: str, status: int = 0) -> None:
        super().__init__(text)
        self.status = status  # pj_status_t of the failure, 0 when not from pjsua2


def _wrap(exc: Any) -> SipError:
    reason = getattr(exc, "reason", "") or ""
    title = getattr(exc, "title", "") or ""
    status = getattr(exc, "status", 0)
    return SipError(f"{title}: {reason}".strip(": ") or "pjsua2 error", int(status or 0))


def redact(text: str) -> str:
    """pjsip message traces contain digest responses: never log them."""
    return _SECRET_HEADER.sub(r"\1 <redacted>", text)


@dataclass(frozen=True, slots=True)
class MediaView:
    index: int
    audio: bool
    status: str  # none | active | local_hold | remote_hold | error


@dataclass(frozen=True, slots=True)
class CallInfoView:
    pj_id: int
    state: str  # null | calling | incoming | early | connecting | confirmed | disconnected
    incoming: bool
    remote_uri: str
    last_status: int
    last_reason: str
    call_id_string: str
    connect_s: float
    media: tuple[MediaView, ...]


class CallListener(Protocol):
    """Callbacks of one call, invoked on the SIP thread from inside `Library.handle_events`."""

    def on_call_state(self, call: Call) -> None: ...
    def on_call_media(self, call: Call) -> None: ...
    def on_dtmf(self, call: Call, digit: str) -> None: ...
    def on_transfer_status(self, call: Call, code: int, reason: str, final: bool) -> None: ...
    def on_transfer_request(self, call: Call, dst_uri: str) -> Call | None: ...
    def on_replace_request(self, call: Call, message: str) -> Call | None: ...


class AccountListener(Protocol):
    def on_incoming(self, account: Account, pj_call_id: int, message: str, source: str) -> None: ...
    def on_reg_state(self, account: Account, code: int, reason: str, expires: int) -> None: ...
    def on_probe_result(self, account: Account, answered: bool, code: int, reason: str) -> None: ...


def text_of(value: Any) -> str:
    """A str from pjsua2 that is valid UTF-8, or "" (SWIG hands invalid bytes over as surrogates)."""
    try:
        text = str(value)
        text.encode("utf-8")
    except UnicodeError:
        return ""
    return text


def _guard(where: str, fn: Callable[[], None]) -> None:
    """An exception escaping into pjsua2 turns into a 500 to the peer: log it here instead."""
    try:
        fn()
    except Exception:  # a callback must never raise into C++
        log.exception("error in pjsua2 callback %s", where)


class _PjCall(pj.Call):  # type: ignore[misc]
    def __init__(self, owner: Call, acc: Any, call_id: int) -> None:
        super().__init__(acc, call_id)
        self.owner = owner

    def onCallState(self, prm: Any) -> None:  # noqa: N802 - pjsua2 callback names
        _guard("onCallState", lambda: self.owner.listener.on_call_state(self.owner))

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        _guard("onCallMediaState", lambda: self.owner.listener.on_call_media(self.owner))

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        digit = str(prm.digit)
        _guard("onDtmfDigit", lambda: self.owner.listener.on_dtmf(self.owner, digit))

    def onCallTransferStatus(self, prm: Any) -> None:  # noqa: N802
        code, reason, final = int(prm.statusCode), text_of(prm.reason), bool(prm.finalNotify)
        _guard(
            "onCallTransferStatus",
            lambda: self.owner.listener.on_transfer_status(self.owner, code, reason, final),
        )

    def onCallTransferRequest(self, prm: Any) -> None:  # noqa: N802
        def run() -> None:
            new = self.owner.listener.on_transfer_request(self.owner, text_of(prm.dstUri))
            if new is None:
                prm.statusCode = 603
            else:
                prm.newCall = new.raw

        _guard("onCallTransferRequest", run)

    def onCallReplaceRequest(self, prm: Any) -> None:  # noqa: N802
        def run() -> None:
            message = text_of(prm.rdata.wholeMsg)
            new = self.owner.listener.on_replace_request(self.owner, message)
            if new is None:
                prm.statusCode = 603
            else:
                prm.newCall = new.raw

        _guard("onCallReplaceRequest", run)


def _op(code: int = 0) -> Any:
    prm = pj.CallOpParam(True)
    if code:
        prm.statusCode = code
    return prm


class Call:
    """One pjsua2 call.  Keep a reference until it is disconnected, then `release` it."""

    @sip_thread_only
    def __init__(self, account: Account, listener: CallListener, pj_call_id: int = -1) -> None:
        self.listener = listener
        self.key = 0  # the engine's call number, set by the owner
        self.raw: Any = _PjCall(self, account.raw, pj_call_id)

    @sip_thread_only
    def info(self) -> CallInfoView:
        ci = self.raw.getInfo()  # keep `ci` alive while reading ci.media (LAB.md)
        media = tuple(
            MediaView(
                index=int(m.index),
                audio=m.type == pj.PJMEDIA_TYPE_AUDIO,
                status=_MEDIA_STATUS.get(m.status, "error"),
            )
            for m in ci.media
        )
        return CallInfoView(
            pj_id=int(ci.id),
            state=_INV_STATES.get(ci.state, "null"),
            incoming=ci.role == pj.PJSIP_ROLE_UAS,
            remote_uri=text_of(ci.remoteUri),
            last_status=int(ci.lastStatusCode),
            last_reason=text_of(ci.lastReason),
            call_id_string=text_of(ci.callIdString),
            connect_s=float(ci.connectDuration.sec) + float(ci.connectDuration.msec) / 1000,
            media=media,
        )

    def _do(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except pj.Error as exc:
            raise _wrap(exc) from None

    @sip_thread_only
    def make_call(self, uri: str) -> None:
        self._do(lambda: self.raw.makeCall(uri, _op()))

    @sip_thread_only
    def answer(self, code: int) -> None:
        self._do(lambda: self.raw.answer(_op(code)))

    @sip_thread_only
    def hangup(self, code: int = 0) -> None:
        self._do(lambda: self.raw.hangup(_op(code)))

    @sip_thread_only
    def hold(self) -> None:
        self._do(lambda: self.raw.setHold(_op()))

    @sip_thread_only
    def resume(self) -> None:
        prm = _op()
        prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        self._do(lambda: self.raw.reinvite(prm))

    @sip_thread_only
    def dial_dtmf(self, digits: str) -> None:
        self._do(lambda: self.raw.dialDtmf(digits))

    @sip_thread_only
    def xfer(self, uri: str) -> None:
        self._do(lambda: self.raw.xfer(uri, _op()))

    @sip_thread_only
    def xfer_replaces(self, target: Call) -> None:
        self._do(lambda: self.raw.xferReplaces(target.raw, _op()))

    @sip_thread_only
    def audio(self, index: int) -> AudioPort | None:
        try:
            return AudioPort(self.raw.getAudioMedia(index))
        except pj.Error:
            return None

    @sip_thread_only
    def is_active(self) -> bool:
        return bool(self.raw.isActive())

    @property
    @sip_thread_only
    def slot(self) -> int:
        """pjsua's call id: the call slot this call holds (or held, once it has ended)."""
        return int(self.raw.getId())

    @sip_thread_only
    def release(self, *, slot_reused: bool = False) -> None:
        """Drop the pjsua2 object (the caller then drops this wrapper).

        pjsua2's ``~Call`` clears the user data of the slot it held and hangs up whatever call is
        active there.  When pjsua has already given the slot to a new call (an INVITE arriving in
        the same poll as the old call's end), deleting the old object would hang up the new call
        (603) and orphan it; such an object is disowned instead: pjsua no longer refers to it.
        """
        self.raw.owner = None
        if slot_reused:
            self.raw.thisown = False
        self.raw = None


class AudioPort:
    """An audio media in the conference bridge (call stream, device, recorder, the headset bridge)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    @sip_thread_only
    def start_transmit(self, sink: AudioPort) -> None:
        try:
            self.raw.startTransmit(sink.raw)
        except pj.Error as exc:
            raise _wrap(exc) from None

    @sip_thread_only
    def stop_transmit(self, sink: AudioPort) -> None:
        try:
            self.raw.stopTransmit(sink.raw)
        except pj.Error:
            log.debug("stopTransmit on a port already gone")


class Recorder(AudioPort):
    """A WAV recorder; pjsua finalises the file ~20 ms after the last reference is dropped."""

    @sip_thread_only
    def __init__(self, path: str) -> None:
        rec = pj.AudioMediaRecorder()
        try:
            rec.createRecorder(path)
        except pj.Error as exc:
            raise _wrap(exc) from None
        super().__init__(rec)

    @sip_thread_only
    def close(self) -> None:
        self.raw = None


class Player(AudioPort):
    """A WAV file played in a loop into the conference bridge (16-bit PCM, any rate pjsua reads)."""

    @sip_thread_only
    def __init__(self, path: str) -> None:
        player = pj.AudioMediaPlayer()
        try:
            player.createPlayer(path, 0)  # 0: loop (PJMEDIA_FILE_NO_LOOP not set)
        except pj.Error as exc:
            raise _wrap(exc) from None
        super().__init__(player)

    @sip_thread_only
    def close(self) -> None:
        self.raw = None  # a player alive at libDestroy aborts the process (LAB.md)


class _PjAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, owner: Account) -> None:
        super().__init__()
        self.owner = owner

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        def run() -> None:
            rdata = prm.rdata
            message = text_of(rdata.wholeMsg)
            self.owner.listener.on_incoming(self.owner, int(prm.callId), message, str(rdata.srcAddress))

        _guard("onIncomingCall", run)

    def onRegState(self, prm: Any) -> None:  # noqa: N802
        code, reason, expires = int(prm.code), text_of(prm.reason), int(prm.expiration)
        owner = self.owner
        if owner is not None:
            _guard("onRegState", lambda: owner.listener.on_reg_state(owner, code, reason, expires))

    def onSendRequest(self, prm: Any) -> None:  # noqa: N802
        """The final outcome of `Account.probe`'s OPTIONS.

        Only a response received from the network counts as an answer: pjsip reports a timeout
        (408) and a transport error (503) through the same callback with a locally made status.
        """
        event = prm.e
        tsx_state = event.body.tsxState
        answered = event.type == pj.PJSIP_EVENT_TSX_STATE and tsx_state.type == pj.PJSIP_EVENT_RX_MSG
        code, reason = int(tsx_state.tsx.statusCode), text_of(tsx_state.tsx.statusText)
        owner = self.owner
        if owner is not None:
            _guard("onSendRequest", lambda: owner.listener.on_probe_result(owner, answered, code, reason))


@dataclass(frozen=True, slots=True)
class AccountOptions:
    id_uri: str
    transport_id: int
    rtp_port: int
    rtp_port_range: int = 100
    media_address: str = ""  # "" = every interface, advertised with the default one
    registrar_uri: str | None = None
    proxy_uri: str | None = None
    username: str | None = None
    reg_timeout_s: int = 60
    retry_s: int = 0  # 0: pjsua does not retry by itself (the engine's RegistrationKeeper does)


class Account:
    """The operator's account (or the local peer-to-peer identity)."""

    @sip_thread_only
    def __init__(self, listener: AccountListener, options: AccountOptions, password: str | None) -> None:
        self.listener = listener
        cfg = pj.AccountConfig()
        cfg.idUri = options.id_uri
        if options.transport_id >= 0:  # -1: any transport (peer-to-peer mode takes UDP and TCP)
            cfg.sipConfig.transportId = options.transport_id
        cfg.mediaConfig.transportConfig.port = options.rtp_port
        cfg.mediaConfig.transportConfig.portRange = options.rtp_port_range
        cfg.mediaConfig.transportConfig.boundAddress = options.media_address
        cfg.mediaConfig.transportConfig.publicAddress = options.media_address
        cfg.mediaConfig.lockCodecEnabled = False  # no extra re-INVITE after answering with 2 codecs
        cfg.natConfig.iceEnabled = False
        cfg.natConfig.sdpNatRewriteUse = 0
        cfg.natConfig.contactRewriteUse = 0
        cfg.natConfig.viaRewriteUse = 0
        cfg.presConfig.publishEnabled = False
        cfg.videoConfig.autoShowIncoming = False
        cfg.videoConfig.autoTransmitOutgoing = False
        if options.registrar_uri:
            cfg.regConfig.registrarUri = options.registrar_uri
            cfg.regConfig.timeoutSec = options.reg_timeout_s
            cfg.regConfig.retryIntervalSec = options.retry_s
            cfg.regConfig.randomRetryIntervalSec = 0
            cfg.regConfig.unregWaitMsec = 1000
            cfg.regConfig.dropCallsOnFail = False
        if options.proxy_uri:
            cfg.sipConfig.proxies.append(options.proxy_uri)
        if options.username:
            cfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", "*", options.username, 0, password or "")
            )
        self.raw: Any = _PjAccount(self)
        try:
            self.raw.create(cfg, True)
        except pj.Error as exc:
            raise _wrap(exc) from None

    @property
    @sip_thread_only
    def index(self) -> int:
        """pjsua's account id (what `Endpoint.onSelectAccount` chooses between)."""
        return int(self.raw.getId())

    @sip_thread_only
    def renew_registration(self) -> None:
        try:
            self.raw.setRegistration(True)
        except pj.Error as exc:
            raise _wrap(exc) from None

    @sip_thread_only
    def probe(self, target_uri: str) -> None:
        """An out-of-dialog OPTIONS to ``target_uri`` through this account's transport and proxy;
        the outcome arrives in the listener's ``on_probe_result`` (pjsua2's `Account.sendRequest`)."""
        prm = pj.SendRequestParam()
        prm.method = "OPTIONS"
        prm.txOption.targetUri = target_uri
        try:
            self.raw.sendRequest(prm)
        except pj.Error as exc:
            raise _wrap(exc) from None

    @sip_thread_only
    def shutdown(self) -> None:
        self.raw.shutdown()
        self.release()

    @sip_thread_only
    def release(self) -> None:
        """Drop the pjsua2 object without deleting the account (after libDestroy deleted it)."""
        self.raw.owner = None
        self.raw = None


class _LogWriter(pj.LogWriter):  # type: ignore[misc]
    """Runs on any pjsip thread: only hands text to `logging` (thread-safe)."""

    def __init__(self, trace: logging.Logger | None) -> None:
        super().__init__()
        self.trace = trace

    def write(self, entry: Any) -> None:
        level, msg = int(entry.level), text_of(entry.msg).rstrip()
        if _REFUSED_BY_DESIGN in msg:
            level = 5  # one line per refused INVITE during a flood: the gate counts and logs them
        elif _GONE_BY_DESIGN in msg:
            level = 5
        if level <= 1:
            log.error("%s", redact(msg))
        elif level == 2:
            log.warning("%s", redact(msg))
        elif self.trace is not None:
            self.trace.debug("%s", redact(msg))


@dataclass(frozen=True, slots=True)
class TlsOptions:
    verify_server: bool = True
    ca_file: str | None = None


TransportLost = Callable[[str, int], None]  # (udp | tcp | tls, pj_status_t of the cause)
# (source "ip:port", whole message) → the account index to handle it, or None for pjsua's own choice
AccountSelector = Callable[[str, str], int | None]
# (transport type "UDP"/"TCP"/"TLS", state) for every SIP transport's state change
TransportWatcher = Callable[[str, str], None]
_TP_STATES = {
    pj.PJSIP_TP_STATE_CONNECTED: "connected",  # also each TCP/TLS connection accepted
    pj.PJSIP_TP_STATE_DISCONNECTED: "disconnected",
    pj.PJSIP_TP_STATE_SHUTDOWN: "shutdown",
    pj.PJSIP_TP_STATE_DESTROY: "destroyed",  # its socket handle goes back to pjsip's ioqueue
}


class _PjEndpoint(pj.Endpoint):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.on_transport_lost: TransportLost | None = None
        self.selector: AccountSelector | None = None
        self.transport_watcher: TransportWatcher | None = None

    def onTransportState(self, prm: Any) -> None:  # noqa: N802
        # Two listeners: the front gate counts every transport (TCP connection floods), the
        # registration keeper wants to know when one dropped (the registrar's TCP/TLS link).
        watcher, lost = self.transport_watcher, self.on_transport_lost
        state = int(prm.state)
        if watcher is not None:
            kind = str(prm.type)
            _guard("onTransportState", lambda: watcher(kind, _TP_STATES.get(state, "unknown")))
        if lost is not None and state == pj.PJSIP_TP_STATE_DISCONNECTED:
            transport = str(prm.type).lower().rstrip("6")  # pjsua2 names it: "TCP", "TLS6", ...
            error = int(prm.lastError)
            _guard("onTransportState", lambda: lost(transport, error))

    def onSelectAccount(self, prm: Any) -> None:  # noqa: N802
        """pjsua asks which account takes a new INVITE (or MESSAGE, SUBSCRIBE...), before it
        creates the dialog or any media: the engine's front gate answers here."""
        selector = self.selector
        if selector is None:
            return
        try:
            rdata = prm.rdata
            choice = selector(str(rdata.srcAddress), text_of(rdata.wholeMsg))
        except Exception:  # never raise into C++
            log.exception("error in pjsua2 callback onSelectAccount")
            return
        if choice is not None:
            prm.accountIndex = choice


class Library:
    """The pjsua2 Endpoint: created, polled and destroyed on the SIP thread only."""

    @sip_thread_only
    def __init__(self, *, user_agent: str, trace: logging.Logger | None) -> None:
        self._ep: Any = _PjEndpoint()
        self._ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.userAgent = user_agent
        cfg.uaConfig.maxCalls = 4
        cfg.uaConfig.stunServer.clear()
        self._writer = _LogWriter(trace)
        cfg.logConfig.writer = self._writer
        cfg.logConfig.decor = 0
        cfg.logConfig.level = 5 if trace is not None else 2
        cfg.logConfig.consoleLevel = cfg.logConfig.level  # the writer replaces the console: same level
        cfg.logConfig.msgLogging = 1 if trace is not None else 0
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        self._ep.libInit(cfg)
        self._devices: tuple[AudioPort, AudioPort] | None = None

    @sip_thread_only
    def add_transport(
        self, kind: str, host: str, port: int, tls: TlsOptions | None = None
    ) -> tuple[int, str]:
        """Create a SIP transport; returns (transport id, actually bound "host:port")."""
        tcfg = pj.TransportConfig()
        tcfg.boundAddress = host
        tcfg.publicAddress = host
        tcfg.port = port
        if kind == "tls":
            opts = tls or TlsOptions()
            tcfg.tlsConfig.verifyServer = opts.verify_server
            if opts.ca_file:
                tcfg.tlsConfig.CaListFile = opts.ca_file
        try:
            tid = int(self._ep.transportCreate(_TRANSPORTS[kind], tcfg))
            info = self._ep.transportGetInfo(tid)
        except pj.Error as exc:
            raise _wrap(exc) from None
        return tid, str(info.localName)

    @sip_thread_only
    def close_transport(self, tid: int) -> None:
        try:
            self._ep.transportClose(tid)
        except pj.Error as exc:
            raise _wrap(exc) from None

    @sip_thread_only
    def start(self) -> None:
        self._ep.libStart()
        self._ep.audDevManager().setNullDev()
        # Speex (pjsua's first choice) garbled pure tones in about a third of test calls; G.722
        # is wideband and clean (measured through the headset bridge, issue 4).
        try:
            self._ep.codecSetPriority("G722/16000/1", 255)
        except pj.Error:
            log.warning("G.722 is not available in this pjsua build; keeping the default codec order")
        mgr = self._ep.audDevManager()
        self._devices = (AudioPort(mgr.getCaptureDevMedia()), AudioPort(mgr.getPlaybackDevMedia()))

    def devices(self) -> tuple[AudioPort, AudioPort]:
        """(capture, playback) of the null sound device."""
        if self._devices is None:
            raise SipError("library not started")
        return self._devices

    def on_transport_lost(self, handler: TransportLost | None) -> None:
        """Call ``handler`` (on the SIP thread) whenever a connection-oriented or UDP transport
        reports DISCONNECTED, e.g. the registrar's TCP/TLS connection dropped."""
        self._ep.on_transport_lost = handler

    def select_accounts_with(self, selector: AccountSelector | None) -> None:
        """``selector`` picks the account for every new incoming request (see `RefusalAccount`)."""
        self._ep.selector = selector

    def watch_transports_with(self, watcher: TransportWatcher | None) -> None:
        self._ep.transport_watcher = watcher

    @sip_thread_only
    def handle_events(self, msec: int) -> int:
        return int(self._ep.libHandleEvents(msec))

    @sip_thread_only
    def hangup_all(self) -> None:
        self._ep.hangupAllCalls()

    @sip_thread_only
    def destroy(self) -> None:
        self._devices = None
        self._ep.on_transport_lost = None
        self._ep.selector = None
        self._ep.transport_watcher = None
        self._ep.libDestroy()
        self._ep = None


class RefusalAccount:
    """A second pjsua account on which no call can be set up: the front gate hands it the INVITEs
    it refuses (`Library.select_accounts_with`), and pjsua turns them away before it opens any
    media socket or keeps a call slot.

    Measured on this wheel (10 000 INVITEs at 1 000/s, no abort, 28 MB peak RSS): a caller that does
    not offer 100rel gets a stateless 421 Extension Required from pjsip_inv_verify_request, as 100rel
    is mandatory here; one that does gets 488 Not Acceptable Here, because SRTP with secure
    signalling (SIPS end to end) is mandatory and pjsua checks that before creating the RTP socket.
    Setting an invalid account index in onSelectAccount does not refuse anything: pjsua falls back
    to the default account and goes on to create the media.
    """

    @sip_thread_only
    def __init__(self) -> None:
        cfg = pj.AccountConfig()
        cfg.idUri = "<sip:refused@invalid>"
        cfg.callConfig.prackUse = pj.PJSUA_100REL_MANDATORY
        cfg.mediaConfig.srtpUse = pj.PJMEDIA_SRTP_MANDATORY
        cfg.mediaConfig.srtpSecureSignaling = 2
        cfg.natConfig.iceEnabled = False
        cfg.presConfig.publishEnabled = False
        self.raw: Any = pj.Account()
        try:
            self.raw.create(cfg, False)
        except pj.Error as exc:
            raise _wrap(exc) from None
        self.index = int(self.raw.getId())

    @sip_thread_only
    def shutdown(self) -> None:
        self.raw.shutdown()
        self.raw = None
