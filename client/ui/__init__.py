"""The desktop front end (Qt). Importing this package imports no Qt: the Qt-free parts
(``client.config.sites``, ``client.config.appdirs``) are shared with the CLI."""
