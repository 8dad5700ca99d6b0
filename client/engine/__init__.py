"""The asyncio engine: control connections, TLS, data channels, transfers, queue and
diagnosis. It emits plain event objects to observers and never imports Qt."""
