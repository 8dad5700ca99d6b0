"""Data connections: opening them in the current mode (``opening``: PASV/EPSV dialled,
PORT/EPRT listened for), tracking each one's life and watching for stalls
(``tracking``), the byte stream between the socket and the disk (``stream``), and one
data command run over one connection (``channel``)."""
