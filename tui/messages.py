"""Messages screens post to the app. Navigation is a message, so no screen imports another: a screen says
where to go and the app opens it through tui.router, the one module that knows every screen class."""

from __future__ import annotations

from textual.message import Message


class Navigate(Message):
    """Open a record screen: `kind` is "person", "group" or "place" and `node_id` the record's id."""

    def __init__(self, kind: str, node_id: str) -> None:
        super().__init__()
        self.kind = kind
        self.node_id = node_id
