"""The audio line of ``frontline doctor``: devices by name, and whether the chosen ones open."""

from __future__ import annotations

from app.doctor_checks import CheckResult
from app.softphone.sound_devices import DeviceChoice, check_devices


def check_audio(choice: DeviceChoice) -> CheckResult:
    report = check_devices(choice)
    devices = report.devices
    data: dict[str, object] = {
        "backend": devices.backend,
        "capture": [{"name": d.name, "id": d.id} for d in devices.captures],
        "playback": [{"name": d.name, "id": d.id} for d in devices.playbacks],
        "checks": [
            {"role": c.role, "wanted": c.wanted, "ok": c.ok, "detail": c.detail} for c in report.checks
        ],
    }
    lines = [
        f"{devices.backend}: {len(devices.captures)} capture, {len(devices.playbacks)} playback devices",
        *(f"  capture:  {d.name}  [{d.id}]" for d in devices.captures),
        *(f"  playback: {d.name}  [{d.id}]" for d in devices.playbacks),
        *(f"  {c.role}: {c.detail}" for c in report.checks),
    ]
    if not report.ok:
        lines.append(
            "  choose devices by the names above: --capture-device/--playback-device/--ring-device NAME"
        )
    return CheckResult("audio", report.ok, "\n".join(lines), data)
