# Build the Windows bundle and installer (run on Windows, from any folder):
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs: Python 3.11+ (python on PATH), Inno Setup 6 (iscc on PATH or in its default
# folder). Produces dist\ftp-inspector\ (PyInstaller onedir, ftp-inspector.exe) and
# dist\ftp-inspector-<version>-setup.exe. Mirrors packaging/build.sh: stage the package
# from the checkout, bundle it with packaging/ftp-inspector.spec, check the version.
$ErrorActionPreference = "Stop"
$Repo = (Resolve-Path "$PSScriptRoot\..\..").Path
$Work = Join-Path $Repo "build\packaging"
$Dist = Join-Path $Repo "dist"

python -m pip install --disable-pip-version-check -q -e "$Repo[package]"
if ($LASTEXITCODE -ne 0) { throw "pip install -e .[package] failed" }

$Version = (Select-String -Path "$Repo\pyproject.toml" -Pattern '^version = "(.+)"').Matches[0].Groups[1].Value
$Installed = python -c "from importlib.metadata import version; print(version('ftp-inspector'))"
if ($Installed -ne $Version) { throw "pyproject.toml says $Version but the installed metadata says $Installed" }

# Stage: client\ plus resources\ as client\resources, the layout of an installed package.
if (Test-Path $Work) { Remove-Item -Recurse -Force $Work }
New-Item -ItemType Directory -Force "$Work\stage" | Out-Null
Copy-Item -Recurse "$Repo\client" "$Work\stage\client"
Copy-Item -Recurse "$Repo\resources" "$Work\stage\client\resources"
Get-ChildItem -Path "$Work\stage" -Recurse -Directory -Filter "__pycache__" | Remove-Item -Recurse -Force

$env:FTPI_STAGE = "$Work\stage"
$env:PYTHONHASHSEED = "0"
python -m PyInstaller --noconfirm --log-level WARN --distpath "$Dist" --workpath "$Work\pyinstaller" "$Repo\packaging\ftp-inspector.spec"
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

# The bundle is windowed (no console to print --version to), so read the version from
# the metadata it carries, as importlib.metadata inside the app will.
$Probe = "import importlib.metadata as m, sys; print(' '.join(d.version for d in m.distributions(path=[sys.argv[1]]) if d.metadata['Name'] == 'ftp-inspector'))"
$BundleVersion = python -c $Probe "$Dist\ftp-inspector\_internal"
if ($BundleVersion -ne $Version) { throw "the bundle carries ftp-inspector metadata '$BundleVersion', expected $Version" }

$Iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $Iscc "/DAppVersion=$Version" "$Repo\packaging\windows\ftp-inspector.iss"
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "built dist\ftp-inspector-$Version-setup.exe"
