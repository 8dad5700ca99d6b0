#!/usr/bin/env bash
# Pack a built bundle into a Debian package with dpkg-deb (no debhelper needed).
#
#   packaging/deb/make-deb.sh BUNDLE_DIR VERSION OUT_DIR WORK_DIR
#
# Layout of the package:
#   /opt/ftp-inspector/                  the PyInstaller bundle
#   /usr/bin/ftp-inspector               symlink to the bundle's launcher
#   /usr/share/applications/APP_ID.desktop, /usr/share/metainfo/APP_ID.metainfo.xml
#   /usr/share/icons/hicolor/NxN/apps/APP_ID.png (16..512), scalable/apps/APP_ID.svg
#   /usr/share/man/man1/ftp-inspector.1.gz, /usr/share/doc/ftp-inspector/{copyright,changelog.gz}
#   /usr/share/lintian/overrides/ftp-inspector (the findings that come with a bundle)
# Environment: SOURCE_DATE_EPOCH (file times), DEB_MAINTAINER ("Name <email>"),
# DEB_COMPRESSION and DEB_COMPRESSION_LEVEL (zstd -9 by default: ~2 s and 50 MB; xz -6
# takes ~50 s for 40 MB and is what the Debian archive itself accepts).
set -euo pipefail

[ $# -eq 4 ] || { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
BUNDLE="$(realpath "$1")"
VERSION="$2"
OUT="$(realpath -m "$3")"
WORK="$(realpath -m "$4")"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-python3}"

APP_ID="io.github.ftp_inspector.FtpInspector"
MAINTAINER="${DEB_MAINTAINER:-FTP Inspector developers <ftp-inspector@users.noreply.github.com>}"
COMPRESSION="${DEB_COMPRESSION:-zstd}"
case "$COMPRESSION" in xz) default_level=6 ;; *) default_level=9 ;; esac
LEVEL="${DEB_COMPRESSION_LEVEL:-$default_level}"
ARCH="$(dpkg --print-architecture)"
EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || stat -c %Y "$REPO/pyproject.toml")}"
export SOURCE_DATE_EPOCH="$EPOCH"

# pyproject's PEP 440 version, spelt so that dpkg orders it the same way (1.0rc1 -> 1.0~rc1).
DEB_VERSION="$("$PYTHON" "$HERE/debian_version.py" "$VERSION")"
# The maintainer goes into sed replacements and the changelog: accept only "Name <email>".
[[ "$MAINTAINER" =~ ^[A-Za-z0-9.\ _\'-]+\ \<[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\>$ ]] || {
    echo "make-deb.sh: DEB_MAINTAINER must look like 'Name <email@example.org>', got '$MAINTAINER'" >&2
    exit 1
}

[ -x "$BUNDLE/ftp-inspector" ] || { echo "make-deb.sh: no launcher at $BUNDLE/ftp-inspector" >&2; exit 1; }

ROOT="$WORK/root"
rm -rf "$ROOT"
mkdir -p "$ROOT/DEBIAN" "$ROOT/opt" "$ROOT/usr/bin" "$ROOT/usr/share/applications" \
    "$ROOT/usr/share/metainfo" "$ROOT/usr/share/man/man1" "$ROOT/usr/share/doc/ftp-inspector" \
    "$ROOT/usr/share/lintian/overrides" "$ROOT/usr/share/icons/hicolor/scalable/apps"

cp -a "$BUNDLE" "$ROOT/opt/ftp-inspector"
# Absolute: /usr/bin and /opt are different top-level directories (Debian policy 10.5).
ln -s /opt/ftp-inspector/ftp-inspector "$ROOT/usr/bin/ftp-inspector"

install -m 644 "$REPO/resources/$APP_ID.desktop" "$ROOT/usr/share/applications/"
install -m 644 "$REPO/resources/$APP_ID.metainfo.xml" "$ROOT/usr/share/metainfo/"
for png in "$REPO"/resources/icons/ftp-inspector-*.png; do
    size="$(basename "$png" .png)"; size="${size##*-}"
    mkdir -p "$ROOT/usr/share/icons/hicolor/${size}x${size}/apps"
    install -m 644 "$png" "$ROOT/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -m 644 "$REPO/resources/icons/ftp-inspector.svg" \
    "$ROOT/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"

gzip -9n <"$HERE/ftp-inspector.1" >"$ROOT/usr/share/man/man1/ftp-inspector.1.gz"
install -m 644 "$HERE/copyright" "$ROOT/usr/share/doc/ftp-inspector/copyright"
"$PYTHON" "$HERE/debian_changelog.py" "$REPO/CHANGELOG.md" "$VERSION" "$MAINTAINER" \
    | gzip -9n >"$ROOT/usr/share/doc/ftp-inspector/changelog.gz"
install -m 644 "$HERE/lintian-overrides" "$ROOT/usr/share/lintian/overrides/ftp-inspector"

# Ownership and modes: root:root via --root-owner-group; directories 755, files 644,
# the launcher 755. Shared objects need no execute bit to be loaded.
find "$ROOT" -type d -exec chmod 755 {} +
find "$ROOT" -type f -exec chmod 644 {} +
chmod 755 "$ROOT/opt/ftp-inspector/ftp-inspector"

install -m 755 "$HERE/postinst" "$HERE/postrm" "$ROOT/DEBIAN/"
installed_kb="$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)"
sed -e "s|@VERSION@|$DEB_VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@MAINTAINER@|$MAINTAINER|" \
    -e "s|@INSTALLED_SIZE@|$installed_kb|" "$HERE/control.in" >"$ROOT/DEBIAN/control"
chmod 644 "$ROOT/DEBIAN/control"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum >DEBIAN/md5sums)
chmod 644 "$ROOT/DEBIAN/md5sums"
find "$ROOT" -exec touch -h -d "@$EPOCH" {} +

mkdir -p "$OUT"
DEB="$OUT/ftp-inspector_${DEB_VERSION#*:}_${ARCH}.deb"  # file names leave out the epoch
dpkg-deb --root-owner-group -Z"$COMPRESSION" -z"$LEVEL" --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
