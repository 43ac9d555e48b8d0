"""INF5xx WebSocket handshake rules: the connection that fails before the first message.

`sockets` finds the server handlers of a module and their accept sites, `offers` what a handler
does with the offered subprotocols, `module` bundles both per file. `handshake` holds INF501/INF502,
`accept_flow` the handshake paths (on the scope family's `Flow`), `used_before_accept` INF503,
`callees` what a function handed the socket does with it, `leak_flow` and `registry` INF504. `clients` reads the Python
clients; browser clients are read by `infralint.formats.javascript`.
"""

from . import facts  # noqa: F401 - registers the family's fact extractors
from .used_before_accept import UsedBeforeAccept
from .handshake import SubprotocolMismatch, SubprotocolNotSelected
from .registry import DisconnectLeak

__all__ = ["DisconnectLeak", "SubprotocolMismatch", "SubprotocolNotSelected", "UsedBeforeAccept"]
