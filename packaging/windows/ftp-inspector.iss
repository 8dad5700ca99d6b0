; Inno Setup 6 script: installs the PyInstaller onedir bundle (dist\ftp-inspector) and
; registers FTP Inspector as a handler of ftp://, ftps://, ftpes:// and sftp:// links.
;
; Built on Windows by packaging\windows\build.ps1, which passes the version from
; pyproject.toml:   iscc /DAppVersion=0.1.0 packaging\windows\ftp-inspector.iss
; Output: dist\ftp-inspector-<version>-setup.exe
;
; URL handlers: Windows 10/11 let the user, not an installer, choose the default app for
; a scheme. So the app registers itself as *capable* of ftp/ftps/ftpes/sftp (Capabilities
; + RegisteredApplications, shown in Settings > Default apps), and claims ftps:// and
; ftpes:// directly (nobody else handles them). Claiming ftp:// directly is an opt-in task;
; sftp:// is left to the user's choice (other SSH clients may own it).

#define AppName "FTP Inspector"
#define AppExe "ftp-inspector.exe"
#define AppIdName "io.github.ftp_inspector.FtpInspector"
#define ProgId "FtpInspector.Url"
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z ftp-inspector.iss (build.ps1 does)
#endif

[Setup]
; A fixed AppId ties upgrades and the uninstaller to this app.
AppId={#AppIdName}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=FTP Inspector developers
AppPublisherURL=https://github.com/ftp-inspector/ftp-inspector
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
SetupIconFile=..\..\resources\icons\ftp-inspector.ico
OutputDir=..\..\dist
OutputBaseFilename=ftp-inspector-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Per-user install without admin rights is offered; {autopf} and HKA follow the choice.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ChangesAssociations=yes
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "ftphandler"; Description: "Open ftp:// links with {#AppName}"; GroupDescription: "Links:"; Flags: unchecked

[Files]
Source: "..\..\dist\ftp-inspector\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; AppUserModelID: "{#AppIdName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; The ProgID that every scheme below points to: "ftp-inspector.exe <url>".
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "FTP link"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

; Capabilities: listed in Settings > Default apps for these schemes.
Root: HKA; Subkey: "Software\FTP Inspector"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "FTP, FTPS and SFTP client that shows who dials whom on every data connection"
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftp"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftps"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities\URLAssociations"; ValueType: string; ValueName: "ftpes"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\FTP Inspector\Capabilities\URLAssociations"; ValueType: string; ValueName: "sftp"; ValueData: "{#ProgId}"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "Software\FTP Inspector\Capabilities"; Flags: uninsdeletevalue

; ftps:// and ftpes:// have no other handler on Windows: claim them.
Root: HKA; Subkey: "Software\Classes\ftps"; ValueType: string; ValueName: ""; ValueData: "URL:FTP over implicit TLS"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\ftps"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\ftps\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\ftps\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\ftpes"; ValueType: string; ValueName: ""; ValueData: "URL:FTP over explicit TLS"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\ftpes"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\ftpes\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"",0"
Root: HKA; Subkey: "Software\Classes\ftpes\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

; ftp:// only when the user ticked the task (it replaces the current handler).
Root: HKA; Subkey: "Software\Classes\ftp"; ValueType: string; ValueName: ""; ValueData: "URL:File Transfer Protocol"; Flags: uninsdeletekey; Tasks: ftphandler
Root: HKA; Subkey: "Software\Classes\ftp"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Tasks: ftphandler
Root: HKA; Subkey: "Software\Classes\ftp\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: ftphandler

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
