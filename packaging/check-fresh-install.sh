#!/usr/bin/env bash
# Prove that a built .deb installs and runs on a bare Debian: make a minimal Debian 12
# root with debootstrap, `apt install` the .deb in it (apt fetches the Depends from the
# Debian mirror, exactly as on a user's fresh machine), then run `ftp-inspector
# --version` and `--self-test` (offscreen) inside it.
#
#   sudo packaging/check-fresh-install.sh dist/ftp-inspector_VERSION_ARCH.deb
#
# Needs root, debootstrap (Debian package) and access to a Debian mirror (MIRROR,
# default http://deb.debian.org/debian); takes a few minutes and ~400 MB in /tmp, all
# removed at the end. Not part of the test suite, which must stay on loopback.
set -euo pipefail

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
echo "==> the desktop entry and icons are in place"
in_root ls /usr/share/applications/io.github.ftp_inspector.FtpInspector.desktop \
    /usr/share/icons/hicolor/48x48/apps/io.github.ftp_inspector.FtpInspector.png
echo "==> fresh-install check passed"
