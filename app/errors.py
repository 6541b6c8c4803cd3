"""Domain errors. Each maps to one RFC 9457 problem type in the API layer.

BroadsheetError
├── NotFound            404  the article (or other resource) does not exist
├── InvalidInput        422  a parameter or body is well-formed HTTP but wrong
│   ├── InvalidCursor   422  a pagination cursor that we did not issue
│   └── InvalidQuery    422  a search query we cannot run
├── ParseError          422  the document could not be turned into an article
├── UnsupportedFormat   415  no parser recognises the bytes
├── Conflict            409  the write would replace a better stored reading (send force=true to insist)
├── ServiceBusy         503  the database stayed busy through every retry; nothing was written
├── Unauthorized        401  a write without a valid API key
├── FetchBlocked        422  a URL the service must not fetch (address, port, scheme, robots.txt)
├── FetchFailed         502  the remote server failed or sent something unusable
│   └── FetchTimeout    504  the remote server was too slow
└── FetchDisabled       403  server-side fetching is turned off
"""


class BroadsheetError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(BroadsheetError):
    status, code, title = 404, "not-found", "Not found"


class InvalidInput(BroadsheetError):
    status, code, title = 422, "invalid-input", "Invalid input"


class InvalidCursor(InvalidInput):
    code, title = "invalid-cursor", "Invalid cursor"


class InvalidQuery(InvalidInput):
    code, title = "invalid-query", "Invalid search query"


class ParseError(BroadsheetError):
    status, code, title = 422, "unparseable-document", "Document could not be parsed"


class UnsupportedFormat(BroadsheetError):
    status, code, title = 415, "unsupported-format", "Unsupported document format"


class Conflict(BroadsheetError):
    status, code, title = 409, "worse-reading", "Stored article kept"


class ServiceBusy(BroadsheetError):
    status, code, title = 503, "busy", "Service busy"


class Unauthorized(BroadsheetError):
    status, code, title = 401, "unauthorized", "Missing or invalid API key"


class FetchBlocked(BroadsheetError):
    status, code, title = 422, "fetch-blocked", "Destination not allowed"


class FetchFailed(BroadsheetError):
    status, code, title = 502, "fetch-failed", "Fetching the URL failed"

    def __init__(self, detail: str, *, upstream_status: int | None = None) -> None:
        super().__init__(detail)
        self.upstream_status = upstream_status


class FetchTimeout(FetchFailed):
    status, code, title = 504, "fetch-timeout", "Fetching the URL timed out"


class FetchDisabled(BroadsheetError):
    status, code, title = 403, "fetch-disabled", "Fetching is disabled"
