"""JSON logs on stderr, one object per line, with the request scope of the current RPC."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from services.runtime import scope


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; extra fields given with `extra=` are kept."""

    _STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(scope.log_fields())
        entry.update({k: v for k, v in record.__dict__.items() if k not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# gRPC's own logger: an answer to a caller that has already gone (its deadline passed, or it
# cancelled) fails in the core with ExecuteBatchError, which gRPC logs at ERROR with a traceback.
GRPC_CORE_LOGGER = "grpc._cython.cygrpc"
_UNDELIVERED = "ExecuteBatchError raised in core by servicer method"


class UndeliveredAnswers(logging.Filter):
    """Turns gRPC's ERROR for an answer the caller no longer waited for into a DEBUG line.

    It is the caller's deadline at work (inventory gives riskcontrol 20 ms), not a fault of the
    service: at ERROR, every assessment that missed a buyer's deadline in a flash sale would page
    someone with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith(_UNDELIVERED):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        record.msg, record.args = "answer not delivered: the caller had already gone", None
        record.exc_info = record.exc_text = None
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def configure(service: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    core = logging.getLogger(GRPC_CORE_LOGGER)
    if not any(isinstance(f, UndeliveredAnswers) for f in core.filters):
        core.addFilter(UndeliveredAnswers())
