"""SFTP status codes (draft-ietf-secsh-filexfer-02 §7 for version 3, which OpenSSH
speaks, and the codes later drafts added) with their names and what they mean to a
person, as the console annotates FTP replies."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SftpStatus", "status_info", "STATUS"]


@dataclass(frozen=True)
class SftpStatus:
    code: int
    name: str
    meaning: str

    def __str__(self) -> str:
        return f"STATUS {self.code} {self.name}"


_TABLE = (
    (0, "SSH_FX_OK", "the request succeeded"),
    (1, "SSH_FX_EOF", "end of file: no more data, or no more names in the folder"),
    (2, "SSH_FX_NO_SUCH_FILE", "no file or folder by that name"),
    (3, "SSH_FX_PERMISSION_DENIED", "the server's user may not do this"),
    (4, "SSH_FX_FAILURE", "the server failed without saying why (OpenSSH sends it, "
                          "for example, for a folder that is not empty)"),
    (5, "SSH_FX_BAD_MESSAGE", "the server could not parse the request"),
    (6, "SSH_FX_NO_CONNECTION", "no connection to the server"),
    (7, "SSH_FX_CONNECTION_LOST", "the connection to the server was lost"),
    (8, "SSH_FX_OP_UNSUPPORTED", "the server does not implement this request"),
    (9, "SSH_FX_INVALID_HANDLE", "the file handle is not (or no longer) valid"),
    (10, "SSH_FX_NO_SUCH_PATH", "a folder in the path does not exist"),
    (11, "SSH_FX_FILE_ALREADY_EXISTS", "a file or folder by that name already exists"),
    (12, "SSH_FX_WRITE_PROTECT", "the file system is read-only"),
    (13, "SSH_FX_NO_MEDIA", "no medium in the drive"),
    (14, "SSH_FX_NO_SPACE_ON_FILESYSTEM", "the server's disk is full"),
    (15, "SSH_FX_QUOTA_EXCEEDED", "the user's quota on the server is used up"),
    (16, "SSH_FX_UNKNOWN_PRINCIPAL", "an owner or group the server does not know"),
    (17, "SSH_FX_LOCK_CONFLICT", "the file is locked by someone else"),
    (18, "SSH_FX_DIR_NOT_EMPTY", "the folder is not empty"),
    (19, "SSH_FX_NOT_A_DIRECTORY", "a folder was expected, this is a file"),
    (20, "SSH_FX_INVALID_FILENAME", "the server does not accept this name"),
    (21, "SSH_FX_LINK_LOOP", "too many symbolic links (a loop?)"),
    (22, "SSH_FX_CANNOT_DELETE", "the file cannot be deleted"),
    (23, "SSH_FX_INVALID_PARAMETER", "a parameter of the request is invalid"),
    (24, "SSH_FX_FILE_IS_A_DIRECTORY", "a file was expected, this is a folder"),
    (25, "SSH_FX_BYTE_RANGE_LOCK_CONFLICT", "a byte range of the file is locked"),
    (26, "SSH_FX_BYTE_RANGE_LOCK_REFUSED", "the byte-range lock was refused"),
    (27, "SSH_FX_DELETE_PENDING", "the file is about to be deleted"),
    (28, "SSH_FX_FILE_CORRUPT", "the file is corrupt"),
    (29, "SSH_FX_OWNER_INVALID", "the owner cannot be set"),
    (30, "SSH_FX_GROUP_INVALID", "the group cannot be set"),
    (31, "SSH_FX_NO_MATCHING_BYTE_RANGE_LOCK", "no such byte-range lock"),
)

STATUS: dict[int, SftpStatus] = {code: SftpStatus(code, name, meaning)
                                 for code, name, meaning in _TABLE}


def status_info(code: int) -> SftpStatus:
    """The status for ``code``; an unknown code keeps its number."""
    return STATUS.get(code, SftpStatus(code, f"SSH_FX_{code}", "a status this client does "
                                                              "not know"))
