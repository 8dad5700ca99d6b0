"""Data connections: opening them in the current mode (``opening``: PASV/EPSV dialled,
PORT/EPRT listened for), the stream that serves each one (``stream_choice``: the loop's
``stream`` or a worker thread's, ``threaded_tls`` and ``threaded_upload``), tracking
each one's life and watching for stalls (``tracking``), and one data command run over
one connection (``channel``): its TLS handshake (``protecting``), the bytes moved up to
the final reply (``moving``) and the error each ending becomes (``classifying``)."""
