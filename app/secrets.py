"""Per-user secrets (database and SIP passwords) in the OS keyring, and only there.

Values never pass through files, argv or logs.  keyrings.alt's plaintext backends are refused:
they would quietly write the password to disk in base64.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

from app.errors import UserFacingError
from app.text import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SERVICE = "frontline"
_INSECURE_BACKENDS = ("keyrings.alt", "PlaintextKeyring", "EncryptedKeyring", "fail.Keyring", "null.Keyring")


class SecretStoreUnavailable(UserFacingError):
    """No usable OS keyring on this machine."""


def database_key(user: str, host: str | None) -> str:
    return f"db:{user}@{host or 'localhost'}"


def sip_key(username: str, server: str | None) -> str:
    return f"sip:{username}@{server or 'p2p'}"


def backend_name() -> str:
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def require_secure_backend() -> None:
    """Raise SecretStoreUnavailable unless the keyring backend really keeps secrets safe."""
    name = backend_name()
    if any(bad in name for bad in _INSECURE_BACKENDS):
        raise SecretStoreUnavailable(
            QT_TRANSLATE_NOOP(
                "KeyringError",
                "No secure OS keyring is available (backend: {backend}). On Linux install and unlock "
                "a Secret Service (GNOME Keyring or KWallet).",
            ).format(backend=name)
        )


def get_secret(key: str) -> str | None:
    """The stored secret, or None when there is none (or no keyring to ask)."""
    try:
        require_secure_backend()
        return keyring.get_password(SERVICE, key)
    except (SecretStoreUnavailable, keyring.errors.KeyringError) as exc:
        log.info("keyring not consulted for %s: %s", key, type(exc).__name__)
        return None


def set_secret(key: str, value: str) -> None:
    require_secure_backend()
    try:
        keyring.set_password(SERVICE, key, value)
    except keyring.errors.KeyringError as exc:
        raise SecretStoreUnavailable(
            QT_TRANSLATE_NOOP(
                "KeyringError",
                "The OS keyring refused to store the password ({reason}). Unlock it and try again.",
            ).format(reason=type(exc).__name__)
        ) from exc
