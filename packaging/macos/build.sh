#!/usr/bin/env bash
# Build "FTP Inspector.app" on macOS (run there; not run on Linux):
#
#   packaging/macos/build.sh
#
# Needs: Python 3.11+ from python.org or Homebrew, with the app's dependencies and
# PyInstaller (pip install -e '.[package]'). Produces dist/FTP Inspector.app (Info.plist
# with the bundle id, the version from pyproject.toml and the ftp/ftps/ftpes/sftp URL schemes,
# all written by packaging/ftp-inspector.spec) and dist/ftp-inspector-VERSION-macos.zip.
# Signing and notarisation need an Apple Developer ID: see README.md beside this file.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$REPO/build/packaging"
DIST="$REPO/dist"
PYTHON="${PYTHON:-python3}"

VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/pyproject.toml" | head -n1)"
INSTALLED="$("$PYTHON" -c 'from importlib.metadata import version; print(version("ftp-inspector"))')"
[ "$VERSION" = "$INSTALLED" ] || {
    echo "pyproject.toml says $VERSION, installed metadata says $INSTALLED: pip install -e '.[package]'" >&2
    exit 1
}

rm -rf "$WORK" "$DIST/ftp-inspector" "$DIST/FTP Inspector.app"
mkdir -p "$WORK/stage"
cp -R "$REPO/client" "$WORK/stage/client"
cp -R "$REPO/resources" "$WORK/stage/client/resources"
find "$WORK/stage" -name __pycache__ -type d -prune -exec rm -rf {} +

FTPI_STAGE="$WORK/stage" PYTHONHASHSEED=0 "$PYTHON" -m PyInstaller --noconfirm \
    --log-level WARN --distpath "$DIST" --workpath "$WORK/pyinstaller" \
    "$REPO/packaging/ftp-inspector.spec"

APP="$DIST/FTP Inspector.app"
reported="$("$APP/Contents/MacOS/ftp-inspector" --version)"
[ "$reported" = "ftp-inspector $VERSION" ] || { echo "bundle reports '$reported'" >&2; exit 1; }
/usr/libexec/PlistBuddy -c 'Print :CFBundleURLTypes:0:CFBundleURLSchemes' "$APP/Contents/Info.plist"
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/ftp-inspector" --self-test

(cd "$DIST" && ditto -c -k --keepParent "FTP Inspector.app" "ftp-inspector-$VERSION-macos.zip")
echo "built $APP and dist/ftp-inspector-$VERSION-macos.zip"
