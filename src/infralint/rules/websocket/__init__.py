"""INF5xx WebSocket handshake rules: the connection that fails before the first message.

`sockets` finds the server handlers of a module and their accept sites, `offers` what a handler
does with the offered subprotocols, `module` bundles both per file. One module per rule, named after
it: `websocket_subprotocol_not_selected` (INF501) and `websocket_subprotocol_mismatch` (INF502) over
`handshake`, `websocket_used_before_accept` (INF503) over `accept_flow` (the handshake paths),
`websocket_disconnect_leak` (INF504) over `registrations` and `leak_flow`; `callees` says what a
function handed the socket does with it. `clients` reads the Python
clients; browser clients are read by `infralint.formats.javascript`.
"""

from . import facts  # noqa: F401 - registers the family's fact extractors
