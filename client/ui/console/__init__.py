"""The protocol console: engine events as lines (``lines``), exports, the model and the widget."""
