#!/usr/bin/env bash
# Prove that a built .deb installs and runs on a bare Debian: make a minimal Debian 12
# root with debootstrap, `apt install` the .deb in it (apt fetches the Depends from the
# Debian mirror, exactly as on a user's fresh machine), then run `ftp-inspector
# --version`, `--self-test` (offscreen) and an SFTP and a SOCKS5 attempt inside it.
#
#   sudo packaging/check-fresh-install.sh dist/ftp-inspector_VERSION_ARCH.deb
#   packaging/check-fresh-install.sh --sftp-only   (that last check, on this machine's
#                                                   installed package; no download)
#
# Needs root, debootstrap (Debian package) and access to a Debian mirror (MIRROR,
# default http://deb.debian.org/debian); takes a few minutes and ~400 MB in /tmp, all
# removed at the end. Not part of the test suite, which must stay on loopback.
set -euo pipefail

# The bare system has no SSH server; the embedded demo server (FTP) stands in for one:
# an sftp:// listing of it must fail at the SSH handshake ("could not open an SSH
# connection"), and a SOCKS5 attempt at the proxy step, both with exit status 2. An
# ImportError (a module or library missing from the bundle) fails differently.
# $1: HOME on the system under test; the rest: the command prefix that runs a program
# there (a command, not a function, so that $! is the demo server itself).
sftp_and_proxy_check() {
    local home="$1" out port status
    shift
    out="$(mktemp)"
    "$@" env HOME="$home" /usr/bin/ftp-inspector demo-server >"$out" 2>/dev/null &
    local server=$!
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.2; done
    port="$(sed -n 's|^ftp://.*:\([0-9]*\)/$|\1|p' "$out" | head -n1)"
    [ -n "$port" ] || { kill "$server"; echo "check-fresh-install: the demo server did not start" >&2; return 1; }
    status=0
    "$@" env HOME="$home" /usr/bin/ftp-inspector ls --timeout 3 --no-agent "sftp://demo@127.0.0.1:$port/" \
        >"$out" 2>&1 || status=$?
    grep -q "could not open an SSH connection" "$out" && [ "$status" = 2 ] \
        || { kill "$server"; cat "$out" >&2; echo "check-fresh-install: SFTP failed (status $status)" >&2; return 1; }
    status=0
    "$@" env HOME="$home" /usr/bin/ftp-inspector ls --timeout 3 --no-agent --proxy "socks5://127.0.0.1:$port" \
        "sftp://demo@127.0.0.1:$port/" >"$out" 2>&1 || status=$?
    grep -q "SOCKS5 proxy" "$out" && [ "$status" = 2 ] \
        || { kill "$server"; cat "$out" >&2; echo "check-fresh-install: the SOCKS5 path failed (status $status)" >&2; return 1; }
    kill "$server"; wait "$server" 2>/dev/null || true
    rm -f "$out"
    echo "SFTP reached the SSH handshake; SOCKS5 reached the proxy handshake"
}
if [ "${1:-}" = "--sftp-only" ]; then  # the same check of the package installed here
    home="$(mktemp -d)"
    trap 'rm -rf "$home"' EXIT
    sftp_and_proxy_check "$home"
    exit
fi

[ $# -eq 1 ] || { sed -n '7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
DEB="$(realpath "$1")"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SUITE="${SUITE:-bookworm}"
command -v debootstrap >/dev/null || { echo "check-fresh-install: install debootstrap first" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "check-fresh-install: needs root (debootstrap, chroot)" >&2; exit 1; }

ROOT="$(mktemp -d /tmp/ftp-inspector-fresh.XXXXXX)"
cleanup() {
    for mount in dev/pts dev sys proc; do
        mountpoint -q "$ROOT/$mount" && umount -l "$ROOT/$mount"
    done
    rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT

echo "==> debootstrap $SUITE (minbase) into $ROOT"
debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 \
    || { tail -20 "$ROOT.log" >&2; exit 1; }
rm -f "$ROOT.log"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
cp "$DEB" "$ROOT/tmp/"
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

echo "==> apt install ./$(basename "$DEB") on the bare system"
in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" | tail -3
echo "==> ftp-inspector --version"
in_root ftp-inspector --version
echo "==> ftp-inspector --self-test (offscreen)"
in_root env QT_QPA_PLATFORM=offscreen ftp-inspector --self-test
echo "==> SFTP and proxies: asyncssh, bcrypt and python-socks load from the bundle"
sftp_and_proxy_check /root chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
echo "==> the desktop entry and icons are in place"
in_root ls /usr/share/applications/io.github.ftp_inspector.FtpInspector.desktop \
    /usr/share/icons/hicolor/48x48/apps/io.github.ftp_inspector.FtpInspector.png
echo "==> fresh-install check passed"
