"""`python -m client` is the same as the `ftp-inspector` command."""

from client.entry import run

run()
