"""Engine options: the site file's [sip] table overlaid with command-line flags (main thread)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.softphone.engine.gate import SourceLimits
from app.softphone.engine.registration import RegistrationTimers

DEFAULT_RING_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True)
class EngineOptions:
    listen_host: str = "127.0.0.1"
    listen_port: int = 0  # 0: any free port (reported in the engine_started event)
    server: str | None = None  # registrar/proxy host; None: peer-to-peer mode
    server_port: int | None = None
    transport: str = "udp"
    username: str | None = None
    display_name: str | None = None
    verify_tls: bool = True
    ca_file: str | None = None
    accept_only_from_proxy: bool = True
    call_waiting: bool = True
    ring_timeout_s: float = DEFAULT_RING_TIMEOUT_S
    auto_answer: bool = False
    auto_record: bool = False
    record_dir: Path = field(default_factory=lambda: Path("recordings"))
    rtp_port: int = 0  # 0: derived from the pid, so engines on one machine do not collide
    sip_trace: Path | None = None
    lines: dict[str, str] = field(default_factory=dict)  # dialled number -> support line name
    # registration: binding asked for, refresh cadence, OPTIONS keep-alive (see registration.py)
    registration: RegistrationTimers = field(default_factory=RegistrationTimers)
    limits: SourceLimits = field(default_factory=SourceLimits)  # INVITEs one address may send

    @property
    def registered_mode(self) -> bool:
        return self.server is not None

    def effective_rtp_port(self) -> int:
        return self.rtp_port or 20000 + (os.getpid() % 2000) * 20
