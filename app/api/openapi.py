"""The OpenAPI document: FastAPI's, completed with what it cannot see from the handlers.

FastAPI infers paths, parameters and bodies. The middleware stack and the error handlers add responses no
handler declares (400 malformed JSON, 413, 422, 500, 401 on guarded writes) and headers (Location, ETag,
Cache-Control, X-Request-ID); those are written in here, from the same constants the middleware uses, so the
document says what the server does. SDK generators read this document: see tests/sdk/.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from app.api.http import CACHE_POLICIES, ETAG_OPERATIONS, REQUEST_ID_HEADER
from app.api.schemas import FieldError, Problem, problem_response
from app.models import ArticleExport

# Generated clients send `Authorization: Bearer <key>` by default (openapi-python-client's AuthenticatedClient);
# the server takes that as well as X-API-Key. `{}` first: keys are optional, a server may have none.
WRITE_SECURITY: list[dict[str, list[str]]] = [{}, {"APIKeyHeader": []}, {"HTTPBearer": []}]
SECURITY_SCHEMES = {
    "APIKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A key from BROADSHEET_API_KEYS; needed on writes only when the server has keys.",
    },
    "HTTPBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "The same key as `Authorization: Bearer <key>`.",
    },
}
_HEADER_DOCS = {
    "Location": "The new article's path, /articles/{id}.",
    "ETag": "Strong validator of this body; send it back in If-None-Match for a 304.",
    "Cache-Control": "How long caches may keep this response.",
    REQUEST_ID_HEADER: "The request's id: the one sent, or a new one. Also in problem bodies and logs.",
}
# Schemas no handler's response_model names: problem bodies, and the line of the NDJSON export (a streamed
# body, so its 200 content refers to the schema by hand).
_DOCUMENTED_MODELS: tuple[type[BaseModel], ...] = (Problem, FieldError, ArticleExport)


def install(app: FastAPI, *, servers: list[dict[str, str]], max_query_chars: int, max_query_terms: int) -> None:
    """Replace app.openapi with the completed document (built once, then cached like FastAPI's)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                servers=servers,
                tags=TAGS,
            )
            app.openapi_schema = complete(spec)
            _document_query_limits(spec, max_query_chars, max_query_terms)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document


TAGS = [
    {"name": "articles", "description": "Read, search, create and delete articles."},
    {"name": "ingestion", "description": "Raw documents in (pages, text dumps, JSON, feeds, URLs), articles out."},
    {"name": "tags", "description": "The tags in use."},
    {"name": "changes", "description": "The change log, for keeping a copy in sync."},
    {"name": "health", "description": "Probes for orchestrators."},
]


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses, headers and security that the stack (not the handler) produces."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for model in _DOCUMENTED_MODELS:
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # FastAPI's own 422 shapes: never sent, every 422 is a Problem.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = SECURITY_SCHEMES
    components["headers"] = {
        name.replace("-", ""): {"description": text, "schema": {"type": "string"}}
        for name, text in _HEADER_DOCS.items()
    }
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            _complete_operation(method, operation)
    return spec


def _complete_operation(method: str, operation: dict[str, Any]) -> None:
    for param in operation.get("parameters", []):
        if param["in"] == "query":
            _no_control_characters(param["schema"])
    responses: dict[str, Any] = operation["responses"]
    body = operation.get("requestBody")
    guarded = "security" in operation
    # 422 everywhere: an unknown query parameter is one, on every operation (http.reject_unknown_query).
    statuses = {422, 500}
    if body is not None:
        statuses |= {408, 413}  # limits.BodySizeLimit: too slow, too large
        json_body = body["content"].get("application/json", {}).get("schema", {})
        if "$ref" in json_body:
            statuses.add(400)  # FastAPI parses this body: not JSON at all is a 400 malformed-json
    if guarded:
        statuses.add(401)
        operation["security"] = WRITE_SECURITY
    for status in sorted(statuses):
        responses.setdefault(str(status), problem_response(status))
    for response in responses.values():
        headers = response.setdefault("headers", {})
        headers[REQUEST_ID_HEADER] = _ref(REQUEST_ID_HEADER)
    if "201" in responses:
        responses["201"]["headers"]["Location"] = {**_ref("Location"), "required": True}
    ok = responses.get("200")
    operation_id = operation["operationId"]
    if ok is not None and operation_id in CACHE_POLICIES:
        ok["headers"]["Cache-Control"] = _ref("Cache-Control")
    if ok is not None and operation_id in ETAG_OPERATIONS:
        ok["headers"]["ETag"] = _ref("ETag")
    if method == "post" and "201" in responses and "200" in responses:
        responses["201"]["description"] = "Created: a new article."


def _ref(header: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{header.replace('-', '')}"}


def _document_query_limits(spec: dict[str, Any], max_chars: int, max_terms: int) -> None:
    """The search limits are settings: the document states the running server's values."""
    for param in spec["paths"]["/articles"]["get"]["parameters"]:
        if param["name"] == "q":
            param["schema"]["anyOf"][0]["maxLength"] = max_chars
            param["description"] += f" At most {max_chars} characters and {max_terms} terms."
            param["schema"]["description"] = param["description"]


# deps.reject_control_characters refuses them in every query value; a pattern of its own says so.
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x1f\\x7f]*$"


def _no_control_characters(schema: dict[str, Any]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "array":
            _no_control_characters(option["items"])
        elif option.get("type") == "string" and "format" not in option and "pattern" not in option:
            option["pattern"] = NO_CONTROL_CHARACTERS
