"""The transfer-mode inspector's Qt views: the ladder diagram, the data-channel table,
their exports, the dock that holds them and the hung-listing banner."""
