"""Sans-I/O FTP knowledge: bytes and strings in, values and events out.

Nothing in this package touches sockets, asyncio, Qt or the clock; the engine feeds it
and the front ends display what it returns. The import-linter contracts in
pyproject.toml keep it that way.
"""
