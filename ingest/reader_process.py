"""The file-reading worker process: `python -m ingest.reader_process HANDLE MEMORY_BYTES PARENT_PID`.

Started by `ingest.reading.FileReader`, never by hand. A module of its own so that what the
worker sends back is pickled under `ingest.reading`'s names, which the build can load.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection

from ingest.reading import worker_main

if __name__ == "__main__":
    handle, memory_bytes, parent = (int(arg) for arg in sys.argv[1:4])
    worker_main(Connection(handle), memory_bytes, parent)
