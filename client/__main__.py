"""`python -m client` is the same as the `ftp-inspector` command."""

from client.cli import main

raise SystemExit(main())
