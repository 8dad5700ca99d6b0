#!/usr/bin/env bash
# Build the FTP Inspector bundle and its Debian package from this checkout.
#
#   packaging/build.sh [--dist DIR] [--work DIR] [--no-deb]
#
# Produces DIR/ftp-inspector/ (PyInstaller onedir bundle, launcher
# DIR/ftp-inspector/ftp-inspector) and DIR/ftp-inspector_VERSION_ARCH.deb, where DIR is
# dist/ by default, VERSION comes from pyproject.toml (the only version source) and ARCH
# from dpkg. Reproducible: file times are clamped to the last commit (SOURCE_DATE_EPOCH),
# hashing is seeded, file lists are sorted.
#
# Needs: python3 with the app's dependencies and PyInstaller (pip install -e '.[package]'),
# dpkg-deb (for the .deb). Nothing is downloaded.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$REPO/dist"
WORK="$REPO/build/packaging"
MAKE_DEB=1
PYTHON="${PYTHON:-python3}"

while [ $# -gt 0 ]; do
    case "$1" in
        --dist) DIST="$(realpath -m "$2")"; shift 2 ;;
        --work) WORK="$(realpath -m "$2")"; shift 2 ;;
        --no-deb) MAKE_DEB=0; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

step() { printf '==> %s\n' "$*"; }
fail() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Two builds sharing a scratch folder would delete each other's files: take turns.
mkdir -p "$(dirname "$WORK")"
exec 9>"$WORK.lock"
if ! flock -n 9; then
    printf '==> waiting for another build using %s\n' "$WORK"
    flock 9
fi

if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
    fail "PyInstaller is not installed for $PYTHON; run: $PYTHON -m pip install -e '$REPO[package]'"
fi

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    # The last commit's time; in an export without .git (git archive, a release
    # tarball), the time of pyproject.toml, which such exports set to the commit's.
    SOURCE_DATE_EPOCH="$(git -C "$REPO" log -1 --format=%ct 2>/dev/null \
        || stat -c %Y "$REPO/pyproject.toml")"
fi
export SOURCE_DATE_EPOCH PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
export QT_QPA_PLATFORM=offscreen
start=$(date +%s)

# 1. Stage: the package as it is laid out when installed (client/ plus resources/ as
#    client/resources), copied from the checkout so the bundle holds exactly this tree.
#    The metadata (version, entry points) comes from the installed distribution; it must
#    agree with pyproject.toml, the single version source.
step "staging the package"
rm -rf "$WORK"
mkdir -p "$WORK/stage"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.pyc' -cf - client | tar -C "$WORK/stage" -xf -
mkdir -p "$WORK/stage/client/resources"
tar -C "$REPO/resources" --exclude=__pycache__ --exclude='*.pyc' -cf - . \
    | tar -C "$WORK/stage/client/resources" -xf -

PYPROJECT_VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/pyproject.toml" | head -n1)"
INSTALLED_VERSION="$(cd / && "$PYTHON" -c 'from importlib.metadata import version; print(version("ftp-inspector"))' 2>/dev/null || true)"
[ "$INSTALLED_VERSION" = "$PYPROJECT_VERSION" ] \
    || fail "pyproject.toml says version '$PYPROJECT_VERSION' but the installed metadata says '${INSTALLED_VERSION:-nothing}'; run: $PYTHON -m pip install -e '$REPO[package]'"
VERSION="$PYPROJECT_VERSION"
# The bundle takes the dependencies' metadata (licence texts) through the installed
# metadata's requirements: an install older than a new dependency in pyproject.toml
# would leave it out, and PyInstaller only warns about modules it cannot find.
(cd / && "$PYTHON" - "$REPO/pyproject.toml" <<'EOF') || fail "the installed ftp-inspector's requirements differ from pyproject.toml's; run: $PYTHON -m pip install -e '$REPO[package]'"
import sys, tomllib
from importlib.metadata import distribution
from packaging.requirements import Requirement
wanted = {str(Requirement(t)) for t in tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]}
have = {str(Requirement(t)) for t in distribution("ftp-inspector").requires or []
        if "extra ==" not in t}
for line in sorted(wanted - have):
    print(f"build.sh: pyproject.toml requires {line}; the installed metadata does not", file=sys.stderr)
for line in sorted(have - wanted):
    print(f"build.sh: the installed metadata requires {line}; pyproject.toml does not", file=sys.stderr)
sys.exit(1 if wanted != have else 0)
EOF
for module in PyInstaller asyncssh bcrypt python_socks; do
    "$PYTHON" -c "import $module" 2>/dev/null \
        || fail "$module is not importable by $PYTHON; run: $PYTHON -m pip install -e '$REPO[package]'"
done

# 2. Bundle.
step "bundling ftp-inspector $VERSION with PyInstaller"
mkdir -p "$DIST"
rm -rf "$DIST/ftp-inspector"
FTPI_STAGE="$WORK/stage" "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/pyinstaller" "$REPO/packaging/ftp-inspector.spec"

BUNDLE="$DIST/ftp-inspector"
reported="$("$BUNDLE/ftp-inspector" --version)" \
    || fail "the bundle's launcher failed to start: $BUNDLE/ftp-inspector --version"
[ "$reported" = "ftp-inspector $VERSION" ] \
    || fail "the bundle reports '$reported', expected 'ftp-inspector $VERSION'"
# Reproducibility: every file gets the same timestamp.
find "$BUNDLE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# 3. Debian package.
if [ "$MAKE_DEB" = 1 ]; then
    command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (Debian package dpkg); use --no-deb to skip the .deb"
    step "packing the .deb"
    DEB="$("$REPO/packaging/deb/make-deb.sh" "$BUNDLE" "$VERSION" "$DIST" "$WORK/deb")"
fi

end=$(date +%s)
step "done in $((end - start)) s: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))"
if [ "$MAKE_DEB" = 1 ]; then
    ls -l "$DEB"
fi
