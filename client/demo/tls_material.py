"""A throw-away self-signed certificate for the demo server's ``tls`` scenario.

Generated at every start (an ECDSA P-256 key: milliseconds to make, unlike RSA) so that
no private key ships with the application. The certificate is its own CA: a client
trusts it by loading ``cert_file`` as its CA file or by pinning ``fingerprint_sha256``.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TlsMaterial", "create_tls_material"]


@dataclass(frozen=True)
class TlsMaterial:
    """Paths of the PEM files and the certificate's SHA-256 fingerprint (lower-case hex,
    no separators — the form the engine's pins use)."""

    cert_file: Path
    key_file: Path
    fingerprint_sha256: str


def create_tls_material(folder: Path, *, common_name: str = "FTP Inspector demo server") -> TlsMaterial:
    """Write ``demo-cert.pem`` and ``demo-key.pem`` into ``folder``.

    Valid for one day from an hour ago (tolerates a little clock skew), for the names
    ``localhost`` and ``127.0.0.1``; marked as a CA so that OpenSSL accepts it as its own
    trust anchor.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "demo-cert.pem"
    key_file = folder / "demo-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    return TlsMaterial(
        cert_file=cert_file,
        key_file=key_file,
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
    )
