"""Connection tabs: several servers open at once, each tab with its own browsing
session, remote pane, console and diagram (the local pane and the queue are shared)."""

from client.ui.tabs.bar import ConnectionTabs
from client.ui.tabs.router import TabRouter
from client.ui.tabs.tab import ConnectionTab, TabParts

__all__ = ["ConnectionTab", "ConnectionTabs", "TabParts", "TabRouter"]
