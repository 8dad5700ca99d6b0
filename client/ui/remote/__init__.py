"""The remote pane: the server's folder listing, its model and the folder tree."""
