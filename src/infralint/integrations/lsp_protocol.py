"""The JSON-RPC layer of the language server, checked before pygls reads a message: whatever a
client sends, every request gets an answer and the server keeps answering the next ones.

pygls leaves some malformed requests without a reply (a null `method`, a request without `params`,
parameters of the wrong shape): the client then waits forever for that id. Here a request that
is not valid JSON-RPC is answered with Invalid Request (-32600, with a null id when its own is
unusable), one whose parameters do not fit its method with Invalid Params (-32602), an unknown
method with Method Not Found (-32601); a malformed notification or response is logged and dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)

_VERSION = "2.0"


@dataclass(frozen=True)
class InvalidMessage:
    """A message refused before pygls reads it: a request (`answer`) gets this error back."""

    id: int | str | None
    error: JsonRpcException
    answer: bool


def _usable_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, str)


def _invalid(data: dict, reason: str) -> InvalidMessage:
    is_request = "method" in data and "id" in data
    msg_id = data.get("id") if _usable_id(data.get("id")) else None
    return InvalidMessage(msg_id, JsonRpcInvalidRequest(message=f"Invalid Request: {reason}"), is_request)


def check_message(data: dict) -> InvalidMessage | None:
    """Why a top-level JSON-RPC object is not a valid request, notification or response."""
    if data.get("jsonrpc") != _VERSION:
        return _invalid(data, f'`jsonrpc` must be "{_VERSION}"')
    if "method" in data:
        if not isinstance(data["method"], str):
            return _invalid(data, "`method` must be a string")
        if "id" in data and not _usable_id(data["id"]):
            return _invalid(data, "a request's `id` must be a number or a string")
        if data.get("params") is not None and not isinstance(data["params"], (dict, list)):
            return _invalid(data, "`params` must be an object or an array")
        return None
    if "id" not in data or not ("result" in data or "error" in data):
        return _invalid(data, "neither a request, a notification nor a response")
    return None


class GuardedProtocol(LanguageServerProtocol):
    """pygls' protocol behind `check_message`, and with an answer for every request it cannot read."""

    def structure_message(self, data: dict[str, Any]):
        if "jsonrpc" not in data:
            return data  # an object inside the message (the JSON decoder's hook sees every one)
        invalid = check_message(data)
        if invalid is not None:
            return invalid
        if "method" in data and "params" not in data:
            data = {**data, "params": None}  # optional in JSON-RPC; pygls' message types require it
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:  # parameters that do not fit the method
            is_request = "id" in data
            return InvalidMessage(data.get("id") if is_request else None, exc, is_request)

    def handle_message(self, message) -> None:
        if isinstance(message, InvalidMessage):
            log.warning("refused a message: %s", message.error.message)
            if message.answer:
                self._send_response(message.id, None, message.error.to_response_error())
            return
        if not hasattr(message, "jsonrpc"):  # a batch or a bare value: not an object
            log.warning("refused a message that is not a JSON object: %r", message)
            self._send_response(None, None, JsonRpcInvalidRequest(message="Invalid Request: not a JSON object").to_response_error())
            return
        super().handle_message(message)
