"""``pipe_buffer.recv_buffer`` reads what ``Connection.send_bytes`` sent, byte for byte."""

from __future__ import annotations

import multiprocessing as mp
import threading

import pyarrow as pa
import pytest

from skywitness.runtime.pipe_buffer import recv_buffer


def test_recv_buffer_reads_send_bytes_messages() -> None:
    a, b = mp.Pipe()
    big = bytes(range(256)) * 4000  # 1,024,000 bytes: more than a pipe holds, many reads
    messages = [b"", b"x", bytes(20_000), big, pa.py_buffer(b"arrow")]

    def send_all() -> None:
        for m in messages:
            a.send_bytes(m)

    sender = threading.Thread(target=send_all)
    sender.start()
    got = [recv_buffer(b).to_pybytes() for _ in messages]
    sender.join()
    assert got == [b"", b"x", bytes(20_000), big, b"arrow"]
    a.send(("pickled", 1))  # the pipe is still in step with ``Connection``'s own reads
    assert b.recv() == ("pickled", 1)
    a.close()
    with pytest.raises(EOFError):
        recv_buffer(b)
    b.close()
