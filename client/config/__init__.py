"""Qt-free configuration shared by both front ends: the one FTP URL parser, saved sites
and their ``site:`` lookup, the FileZilla import, and the app's folders.

The command line and the window both read sites, URLs and folders through this package,
so the two give the same answer for the same text. It may use the engine's settings
types; it never imports a front end or Qt.
"""
