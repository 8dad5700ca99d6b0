"""Saved sites: the Qt-free store (``store``), FileZilla import (``filezilla``) and the
site manager dialog (``dialog``, Qt)."""
