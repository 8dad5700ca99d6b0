"""Directory comparison, synchronised browsing and the Synchronise dialog (the engine
side is :mod:`client.engine.sync`)."""
