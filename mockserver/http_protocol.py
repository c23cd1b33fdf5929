"""uvicorn's httptools protocol with a bound on a request head that arrives in pieces.

httptools (llhttp) is uvicorn's faster parser, but it keeps appending a header (or the URL) for as long as the
client sends it, with no limit. h11 stops at `h11_max_incomplete_event_size`; this protocol reads the same
uvicorn setting and stops there too: once a head that is still incomplete has taken more than that many bytes
in later reads, the client gets 431 and the connection is closed, before the head is ever handed to the app.

The read the head starts in is not counted (it may also hold the end of the request before), so what is held
stays under the bound plus one read. A head that arrives whole reaches the app, where `request_head.py` refuses
it in the vendor's own format, as with h11."""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_REFUSAL = b"Request header fields too large"


class BoundedHeadHttpTools(HttpToolsProtocol):
    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._max_head_bytes: int = config.h11_max_incomplete_event_size
        self._head_open = False
        self._head_bytes = 0
        self._heads_begun = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._head_bytes = 0
        self._heads_begun += 1

    def on_headers_complete(self) -> None:
        self._head_open = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        open_before, begun_before = self._head_open, self._heads_begun
        super().data_received(data)
        # Every byte of this read belongs to the open head only if that head was open before it and is still the
        # one open after it.
        if open_before and self._head_open and self._heads_begun == begun_before:
            self._head_bytes += len(data)
            if self._head_bytes > self._max_head_bytes and not self.transport.is_closing():
                self._refuse()

    def _refuse(self) -> None:
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(_REFUSAL)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + _REFUSAL
        )
        self.transport.close()
