"""The desktop front end (Qt). Importing this package imports no Qt: the Qt-free parts
(``client.ui.sites.store``, ``client.ui.appdirs``) are shared with the CLI."""
