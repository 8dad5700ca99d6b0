"""The installed .deb speaks SFTP and goes through proxies: asyncssh, bcrypt, python-socks
and their compiled parts came along into the bundle, and so did their licence texts.

The bundle is built by PyInstaller's import scan, which finds only what is imported by
name; a module loaded another way, or a compiled part left behind, shows only when the
installed app runs it. So the installed ``/usr/bin/ftp-inspector`` lists a folder on
Debian's sshd (tests/fixtures/sshd.py) through Debian's danted (SOCKS5), logging on with
an OpenSSH key protected by a passphrase — the format whose key derivation needs bcrypt.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.proxies import socks5_proxy  # noqa: F401 - the fixture
from fixtures.sshd import SshdServer, sshd_server  # noqa: F401 - the fixture
from installed_deb import InstalledPackage, app_env, describe, run
from runtime_closure import normalise, runtime_closure

# One worker builds and installs the .deb once for both modules (tools/run-tests
# distributes with --dist loadgroup): a second worker would wait for the first one's
# whole run on the install lock, then build it again.
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900),
              pytest.mark.xdist_group("installed-deb")]

APP = "/usr/bin/ftp-inspector"
INTERNAL = Path("/opt/ftp-inspector/_internal")


def test_bundle_carries_the_metadata_and_licences_of_every_runtime_dependency(
        installed: InstalledPackage) -> None:
    carried = {normalise(re.sub(r"-[^-]+\.dist-info$", "", path.name))
               for path in INTERNAL.glob("*.dist-info")}
    missing = sorted(spelling for key, spelling in runtime_closure().items() if key not in carried)
    assert not missing, "no *.dist-info (licence texts) in the bundle for: " + ", ".join(missing)


@pytest.fixture
def encrypted_key(sshd_server: SshdServer, tmp_path: Path) -> Iterator[tuple[Path, str]]:  # noqa: F811
    """An ed25519 key in OpenSSH's format, protected by a passphrase, that the server
    accepts (appended to its authorized_keys for this test)."""
    key = tmp_path / "id_encrypted"
    passphrase = "correct horse battery"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "packaging-test",
                    "-f", str(key)], check=True, timeout=60)
    authorized = sshd_server.chroot / "authorized_keys"
    before = authorized.read_text()
    authorized.write_text(before + (tmp_path / "id_encrypted.pub").read_text())
    yield key, passphrase
    authorized.write_text(before)


def test_installed_app_lists_sftp_through_socks5_with_an_encrypted_key(
        installed: InstalledPackage, sshd_server: SshdServer,  # noqa: F811
        socks5_proxy, encrypted_key: tuple[Path, str], tmp_path: Path) -> None:  # noqa: F811
    (sshd_server.root / "from-the-bundle.txt").write_text("listed by the installed app\n")
    sshd_server.own()
    key, passphrase = encrypted_key
    env = app_env(tmp_path)
    env["SSH_KEY_PASSPHRASE"] = passphrase
    url = f"sftp://{sshd_server.user}@{sshd_server.host}:{sshd_server.port}/"
    try:
        result = run([APP, "ls", "-v", "--accept-new-host-key", "--no-agent", "-i", str(key),
                      "--proxy", socks5_proxy.url, url], timeout=180, env=env, cwd=tmp_path)
        assert result.returncode == 0, describe(result)
        assert "from-the-bundle.txt" in result.stdout
        assert "SOCKS5" in result.stderr and "accepted" in result.stderr, result.stderr

        env["SSH_KEY_PASSPHRASE"] = "wrong"
        refused = run([APP, "ls", "--no-agent", "-i", str(key), url], timeout=180, env=env,
                      cwd=tmp_path)
        assert refused.returncode == 2, describe(refused)
        assert "encrypted" in refused.stderr and "passphrase" in refused.stderr, refused.stderr
    finally:
        (sshd_server.root / "from-the-bundle.txt").unlink(missing_ok=True)

    # The trusted host key went to the app's own folder; the home folder stays untouched
    # (~/.ssh/known_hosts is read, never written) and no secret reached a file.
    config = Path(env["FTP_INSPECTOR_CONFIG_DIR"])
    assert sshd_server.host_key_pub.split()[1] in (config / "known_hosts").read_text()
    assert not [path for path in Path(env["HOME"]).rglob("*") if path.is_file()]
    for path in config.rglob("*"):
        if path.is_file():
            assert passphrase not in path.read_text(errors="replace"), path
