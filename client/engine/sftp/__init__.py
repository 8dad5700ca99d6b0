"""SFTP (the SSH File Transfer Protocol) as a second implementation of
:class:`client.engine.remotefs.RemoteFileSystem`, on asyncssh.

Import the parts from their modules (``client.engine.sftp.session``,
``.settings``, ``.hostkeys``, ``.events``, ``.errors``): the settings and host-key
types are light and used by the config layer, the session pulls in asyncssh.
"""
