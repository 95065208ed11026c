"""TLS to the central database with ``sslmode=verify-full``: a throwaway cluster with SSL on and a
certificate for ``localhost`` only, password authentication over TLS only (pg_hba)."""

from __future__ import annotations

import os
import pwd
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from app.errors import DatabaseUnavailable
from app.storage import migrate
from app.storage.admin import add_operator
from app.storage.database import database_errors, make_engine
from tests.fixtures.postgres import find_pg_bin, start_cluster

pytestmark = pytest.mark.pg

PASSWORD = "tls-only secret"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_ca_and_server_cert(
    directory: Path, *, ca_name: str = "Frontline test CA", dns_names: tuple[str, ...] = ("localhost",)
) -> Path:
    """Write ca.pem, server.crt and server.key into `directory`; returns ca.pem.  The server
    certificate names only `dns_names` (no IP address), signed by the new CA."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(ca_name))
        .issuer_name(_name(ca_name))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(dns_names[0]))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "server.crt").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_path = directory / "server.key"
    key_path.write_bytes(_pem_key(server_key))
    key_path.chmod(0o600)  # PostgreSQL refuses a key others can read
    return directory / "ca.pem"


@dataclass
class TlsServer:
    port: int
    ca: Path
    other_ca: Path  # a CA that did not sign the server's certificate
    server_log: Path  # every statement is logged (log_statement=all)


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TlsServer]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        pytest.fail(
            "PostgreSQL server binaries were not found (see tests/fixtures/postgres.py).", pytrace=False
        )
    certs = Path(tempfile.mkdtemp(prefix="frontline-tls-"))
    ca = make_ca_and_server_cert(certs)
    other = certs / "other"
    other.mkdir()
    other_ca = make_ca_and_server_cert(other, ca_name="Some other CA")
    hba = certs / "pg_hba.conf"
    # Over TCP only TLS with a password; the socket (for setting up) trusts the local superuser.
    hba.write_text(
        "local all all trust\n"
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        "hostssl all all ::1/128 scram-sha-256\n"
    )
    if os.geteuid() == 0:  # the cluster runs as postgres: it must read its key and hba file
        entry = pwd.getpwnam("postgres")
        for path in (certs, certs / "server.key", certs / "server.crt", hba):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    cluster = start_cluster(
        pg_bin,
        extra_options=(
            f"-c ssl=on -c ssl_cert_file={certs / 'server.crt'} -c ssl_key_file={certs / 'server.key'}"
            f" -c hba_file={hba} -c log_statement=all"
        ),
    )
    try:
        assert cluster.data_dir is not None
        socket_url = cluster.url.set(query={"host": str(cluster.data_dir)})
        setup = make_engine(socket_url, isolation_level="AUTOCOMMIT")
        with setup.connect() as conn:
            conn.execute(text("CREATE DATABASE frontline"))
        setup.dispose()
        owner = make_engine(socket_url.set(database="frontline"))
        migrate.upgrade(owner)
        add_operator(
            owner,
            login="desk",
            display_name="Desk",
            department="First line",
            role="operator",
            password=PASSWORD,
        )
        owner.dispose()
        assert cluster.url.port is not None
        yield TlsServer(
            port=cluster.url.port, ca=ca, other_ca=other_ca, server_log=cluster.data_dir / "server.log"
        )
    finally:
        cluster.stop()


def _url(
    server: TlsServer, host: str, ca: Path, sslmode: str = "verify-full", password: str = PASSWORD
) -> str:
    return f"postgresql://desk:{password}@{host}:{server.port}/frontline?sslmode={sslmode}&sslrootcert={ca}"


def _connect(url: str) -> bool:
    engine = make_engine(url)
    try:
        with database_errors(engine), engine.connect() as conn:
            return bool(
                conn.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar()
            )
    finally:
        engine.dispose()


def test_verify_full_connects_when_the_name_matches_the_certificate(tls_server: TlsServer) -> None:
    assert _connect(_url(tls_server, "localhost", tls_server.ca)) is True


def test_verify_full_refuses_a_certificate_for_another_name(tls_server: TlsServer) -> None:
    # The same server reached by its address, which is not on the certificate.
    with pytest.raises(DatabaseUnavailable, match="TLS certificate could not be verified") as caught:
        _connect(_url(tls_server, "127.0.0.1", tls_server.ca))
    assert "127.0.0.1" in str(caught.value)
    assert PASSWORD not in str(caught.value)


def test_verify_full_refuses_a_certificate_from_another_ca(tls_server: TlsServer) -> None:
    with pytest.raises(DatabaseUnavailable, match="TLS certificate could not be verified"):
        _connect(_url(tls_server, "localhost", tls_server.other_ca))


def test_the_server_refuses_connections_without_tls(tls_server: TlsServer) -> None:
    with pytest.raises(DatabaseUnavailable):
        _connect(_url(tls_server, "localhost", tls_server.ca, sslmode="disable"))


def test_an_operator_added_by_add_operator_signs_in_with_their_password_over_tls(
    tls_server: TlsServer,
) -> None:
    assert _connect(_url(tls_server, "localhost", tls_server.ca)) is True
    with pytest.raises(DatabaseUnavailable, match="password of desk was refused"):
        _connect(_url(tls_server, "localhost", tls_server.ca, password="guess"))


def test_the_server_never_saw_the_password_in_clear(tls_server: TlsServer) -> None:
    log = tls_server.server_log.read_text(errors="replace")
    assert 'CREATE ROLE "desk" LOGIN' in log  # statements are logged...
    assert "SCRAM-SHA-256$" in log
    assert PASSWORD not in log  # ...but only the verifier was sent
