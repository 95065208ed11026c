"""`frontline phone`: the softphone engine, headless (main thread of the engine process).

Prints one JSON object per line on stdout for every event and reply; reads commands on stdin (see
`app.softphone.protocol`); logs go to stderr.  The SIP password is looked up by this process itself
in the OS keyring (`app.secrets`), where ``frontline admin set-sip-password`` stored it: the window
never holds it, and it never travels in argv, a pipe or a file.  ``FRONTLINE_SIP_PASSWORD`` is a
test/CI aid only (registrar tests on machines without a keyring): when set it wins, is read once and
is removed from the environment.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Union

from app.private_files import private_file
from app.softphone.engine.gate import SourceLimits
from app.softphone.engine.options import EngineOptions
from app.softphone.engine.registration import RegistrationTimers
from app.softphone.protocol import Command

if TYPE_CHECKING:
    from app.softphone.engine.call_audio import AudioBackend
    from app.softphone.engine.pj import Library
    from app.softphone.sound_devices import DeviceChoice

# This engine's audio: the null device (None), a backend factory (a file as the microphone), or
# the operator's headset devices (a DeviceChoice, built into the bridge by `run`).
AudioChoice = Union["Callable[[Library], AudioBackend]", "DeviceChoice", None]

PASSWORD_ENV = "FRONTLINE_SIP_PASSWORD"  # noqa: S105 - a variable name, not a secret
log = logging.getLogger("app.softphone.engine")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="frontline phone",
        description="Run the softphone engine without the window: JSON events on stdout, commands on stdin "
        "(answer, hangup, hold, resume, dial URI, transfer URI, dtmf DIGITS, quit).",
    )
    p.add_argument("--config", help="site configuration file (TOML)")
    p.add_argument("--listen", metavar="HOST:PORT", help="local SIP address; alone: peer-to-peer mode")
    p.add_argument("--server", metavar="HOST[:PORT]", help="registrar/proxy (overrides [sip] server)")
    p.add_argument("--transport", choices=("udp", "tcp", "tls"))
    p.add_argument("--user", help="SIP user name (overrides [sip] username)")
    p.add_argument("--display-name")
    p.add_argument("--p2p", action="store_true", help="ignore the configured registrar: peer-to-peer mode")
    p.add_argument("--auto-answer", action="store_true", help="answer every incoming call at once")
    p.add_argument("--auto-record", action="store_true", help="record every answered call")
    p.add_argument("--record-dir", type=Path, help="where recordings go (default: data dir/recordings)")
    p.add_argument("--ring-timeout", type=float, metavar="S", help="answer unanswered INVITEs 480 after S s")
    p.add_argument("--no-call-waiting", action="store_true", help="a second call gets 486 Busy")
    p.add_argument("--accept-any-source", action="store_true", help="take INVITEs not sent via the proxy")
    p.add_argument("--no-verify-tls", action="store_true", help="do not verify the server's TLS certificate")
    p.add_argument("--ca-file")
    p.add_argument("--rtp-port", type=int, default=0, help="first RTP port (default: derived from the pid)")
    p.add_argument(
        "--reg-timeout",
        type=int,
        metavar="S",
        help="registration expiry asked for ([sip] register_expires_s)",
    )
    p.add_argument(
        "--reg-refresh", type=int, metavar="S", help="REGISTER again every S s ([sip] register_refresh_s)"
    )
    p.add_argument(
        "--keepalive",
        type=float,
        metavar="S",
        help="OPTIONS to the registrar every S s, 0: off ([sip] keepalive_s)",
    )
    p.add_argument(
        "--invite-limit",
        metavar="RATE,BURST",
        help="INVITEs per second one address may keep sending, and at once (overrides [sip]"
        " invite_rate_per_source / invite_burst_per_source; a rate of 0: no limit)",
    )
    p.add_argument("--sip-trace", type=Path, metavar="FILE", help="write the pjsip message trace here")
    p.add_argument("--capture-device", metavar="NAME", help="headset microphone, as doctor lists it")
    p.add_argument("--playback-device", metavar="NAME", help="headset earpiece, as doctor lists it")
    p.add_argument("--ring-device", metavar="NAME", help="where the ringtone plays, e.g. the desk speaker")
    p.add_argument(
        "--null-audio", action="store_true", help="no sound devices (tests, servers): pjsua's null device"
    )
    p.add_argument(
        "--play",
        type=Path,
        metavar="WAV",
        help="send this WAV (looped) as the microphone, for unattended UAs",
    )
    p.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    return p


def options_from(args: argparse.Namespace) -> EngineOptions:
    from app.config import data_dir, load_site_config

    site = load_site_config(args.config)
    sip = site.sip
    server, server_port = sip.server, sip.port
    if args.server:
        host, _, port = args.server.rpartition(":") if args.server.count(":") == 1 else (args.server, "", "")
        server, server_port = (host, int(port)) if port else (args.server, None)
    if args.p2p:
        server = None
    listen = args.listen or sip.listen or "127.0.0.1:0"
    lhost, _, lport = listen.rpartition(":")
    return EngineOptions(
        listen_host=lhost or "127.0.0.1",
        listen_port=int(lport or 0),
        server=server,
        server_port=server_port,
        transport=args.transport or sip.transport,
        username=args.user or sip.username,
        display_name=args.display_name or sip.display_name,
        verify_tls=sip.verify_tls and not args.no_verify_tls,
        ca_file=args.ca_file or sip.ca_file,
        accept_only_from_proxy=sip.accept_only_from_proxy and not args.accept_any_source,
        call_waiting=sip.call_waiting and not args.no_call_waiting,
        ring_timeout_s=args.ring_timeout if args.ring_timeout is not None else float(sip.ring_timeout_s),
        auto_answer=args.auto_answer,
        auto_record=args.auto_record or sip.auto_record,
        record_dir=args.record_dir or data_dir() / "recordings",
        rtp_port=args.rtp_port,
        sip_trace=args.sip_trace,
        registration=RegistrationTimers(
            expires_s=sip.register_expires_s if args.reg_timeout is None else args.reg_timeout,
            refresh_s=sip.register_refresh_s if args.reg_refresh is None else args.reg_refresh,
            keepalive_s=float(sip.keepalive_s if args.keepalive is None else args.keepalive),
        ),
        lines={number: line.name for line in site.lines for number in line.numbers},
        limits=_invite_limits(args.invite_limit, sip.invite_rate_per_source, sip.invite_burst_per_source),
    )


def _invite_limits(flag: str | None, rate: float, burst: int) -> SourceLimits:
    """``--invite-limit RATE,BURST`` or the site's values; ValueError on a bad flag."""
    if flag is not None:
        try:
            text_rate, text_burst = flag.split(",")
            rate, burst = float(text_rate), int(text_burst)
        except ValueError:
            raise ValueError(f"--invite-limit wants RATE,BURST such as 2,10, not {flag!r}") from None
    return SourceLimits(rate_per_s=float(rate), burst=burst)


def _password(opts: EngineOptions) -> str | None:
    secret = os.environ.pop(PASSWORD_ENV, None)
    if secret is not None:
        log.info("SIP password from $%s (a test/CI aid: desks keep it in the OS keyring)", PASSWORD_ENV)
        return secret
    if not opts.username or not opts.registered_mode:
        return None
    from app.secrets import get_secret, sip_key

    key = sip_key(opts.username, opts.server)
    secret = get_secret(key)
    if secret is None:
        log.warning(
            "no SIP password for %s in the OS keyring: store it with `frontline admin set-sip-password`", key
        )
    return secret


def _trace_logger(path: Path | None) -> logging.Logger | None:
    if path is None:
        return None
    trace = logging.getLogger("app.softphone.pjsip.trace")
    trace.propagate = False
    trace.setLevel(logging.DEBUG)
    handler = logging.FileHandler(private_file(path), encoding="utf-8")  # SIP messages name callers
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    trace.addHandler(handler)
    return trace


class _DroppingQueueHandler(logging.handlers.QueueHandler):
    """Hands records to the writer thread; drops (and counts) them when it is far behind."""

    dropped = 0

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


def _log_without_blocking(level: str) -> tuple[logging.handlers.QueueListener, _DroppingQueueHandler]:
    """Log to stderr from a writer thread of its own.

    The window reads the engine's stderr on its GUI loop (`app.softphone.desk.engine_log`); while
    that loop is busy the pipe can fill, and a SIP thread that logged straight to it would stop
    answering calls until it drained.  Records wait in a bounded queue instead; a writer that falls
    `_LOG_BACKLOG` behind loses records (counted, said at exit), never the calls.
    """
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler = _DroppingQueueHandler(queue.Queue(maxsize=_LOG_BACKLOG))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    listener = logging.handlers.QueueListener(handler.queue, writer)
    listener.start()
    return listener, handler


_LOG_BACKLOG = 10_000


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    listener, handler = _log_without_blocking(args.log_level)
    try:
        return _main(args)
    finally:
        listener.stop()  # writes what is queued
        if handler.dropped:
            print(f"frontline phone: {handler.dropped} log records dropped (unread stderr)", file=sys.stderr)


def _main(args: argparse.Namespace) -> int:
    from app import crash_reports
    from app.errors import ConfigError

    crash_reports.install("engine")  # pjsip's assertions abort: faulthandler keeps the stacks
    try:
        opts = options_from(args)
    except (ConfigError, ValueError) as exc:
        print(f"frontline phone: {exc}", file=sys.stderr)
        return 2
    audio: AudioChoice = None
    if args.play is not None:
        if not args.play.is_file():
            print(f"frontline phone: {args.play} is not a file", file=sys.stderr)
            return 2
        audio = _file_microphone(args.play)
    elif not args.null_audio:
        try:
            audio = _headset_choice(args)
        except ValueError as exc:
            print(f"frontline phone: {exc}", file=sys.stderr)
            return 2
    return run(opts, _password(opts), _trace_logger(opts.sip_trace), audio)


def _headset_choice(args: argparse.Namespace) -> DeviceChoice | None:
    """The headset devices to use, or None for the null device when there is no sound server.

    Named devices that cannot be found are an error; with no names and no sound server at all
    (a server, a CI box) the engine runs on the null device and says so in its log.
    """
    from app.softphone.desk.audio_choice import audio_choice_path, load_choice, merge
    from app.softphone.sound_devices import AudioDeviceError, list_devices

    choice = merge(
        load_choice(audio_choice_path()),
        capture=args.capture_device,
        playback=args.playback_device,
        ring=args.ring_device,
    )
    explicit = any((args.capture_device, args.playback_device, args.ring_device))
    try:
        list_devices()
    except AudioDeviceError as exc:
        if explicit:
            raise ValueError(f"sound devices unavailable: {exc}") from exc
        log.warning("no sound devices (%s): calls run on the null device, nobody will hear them", exc)
        return None
    return choice


def _file_microphone(wav: Path) -> Callable[[Library], AudioBackend]:
    from app.softphone.engine.call_audio import FileMicrophoneBackend

    def build(lib: Library) -> AudioBackend:
        return FileMicrophoneBackend(lib, wav)

    return build


def run(
    opts: EngineOptions,
    password: str | None,
    trace: logging.Logger | None,
    audio: AudioChoice = None,
) -> int:
    """Run the engine until quit/SIGTERM/stdin EOF; ``audio`` builds the audio backend (default: the
    pjsua null device; the headset bridge passes its own factory here)."""
    from app.softphone.engine.call_audio import DeviceAudioBackend
    from app.softphone.engine.sipthread import Engine
    from app.softphone.engine.stdio import Output, claim_stdout, start_reader

    output = Output(claim_stdout())
    commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
    backend: Callable[[Library], AudioBackend] = DeviceAudioBackend
    if audio is not None and not callable(audio):  # the operator's devices: build the bridge
        from app.softphone.engine.headset.backend import HeadsetAudioBackend
        from app.softphone.events import to_message

        # Device events come from the bridge's watchdog thread; Output.emit is a queue put.
        backend = HeadsetAudioBackend.factory(audio, on_device_event=lambda ev: output.emit(to_message(ev)))
    elif audio is not None:
        backend = audio
    engine = Engine(opts, output.emit, commands, password, trace=trace, audio=backend)
    del password
    sip = threading.Thread(target=engine.run, name="sip")

    def on_signal(signum: int, frame: FrameType | None) -> None:
        commands.put(Command(name="quit", args={"reason": signal.Signals(signum).name}, internal=True))
        engine.wake()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    sip.start()
    start_reader(commands, output, engine.wake)
    while sip.is_alive():
        sip.join(0.2)  # short joins keep the main thread able to run signal handlers
    output.close()
    log.info("engine stopped (rc %s)", engine.exit_code)
    return engine.exit_code
