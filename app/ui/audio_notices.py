"""What the operator is told when the engine changes a sound device by itself."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.softphone.events import AudioDeviceChange, AudioDeviceChanged


def audio_notice_text(notice: AudioDeviceChanged) -> str:
    """One sentence for the status bar: what happened, what is used now, what to do.

    Every string is spelled out in a QCoreApplication.translate call: lupdate finds only those."""
    device = {
        "capture": QCoreApplication.translate("AudioNotice", "headset microphone"),
        "playback": QCoreApplication.translate("AudioNotice", "headset"),
        "ring": QCoreApplication.translate("AudioNotice", "ringing device"),
    }.get(notice.role, notice.role)
    wanted = notice.wanted or QCoreApplication.translate("AudioNotice", "the default device")
    using = notice.using or QCoreApplication.translate("AudioNotice", "none")
    if notice.kind is AudioDeviceChange.FELL_BACK:
        return QCoreApplication.translate(
            "AudioNotice",
            "The {device} ({wanted}) is gone: using {using} until it is back. The call goes on.",
        ).format(device=device, wanted=wanted, using=using)
    if notice.kind is AudioDeviceChange.RESTORED:
        return QCoreApplication.translate(
            "AudioNotice", "The {device} ({wanted}) is back and in use."
        ).format(device=device, wanted=wanted)
    if notice.kind is AudioDeviceChange.LOST:
        return QCoreApplication.translate(
            "AudioNotice", "No {device} is available: plug one in. The call goes on."
        ).format(device=device)
    return QCoreApplication.translate(
        "AudioNotice", "The {device} stopped and was restarted ({using})."
    ).format(device=device, using=using)
