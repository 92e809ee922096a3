"""The API's error answers in its OpenAPI document: every operation lists each status it
can answer besides success, with the one body every error has (`Problem`), so clients (and
schemathesis's status_code_conformance check) know them all in advance.

Which statuses an operation can answer follows from what it is (docs/api.md):
- any operation: 400 (a parameter or body that cannot be read or breaks a limit), 401
  (signing in, or a partner's API token, is needed), 403 (the viewer may not; for a change
  made with a session, also a missing CSRF header), 422 (a value breaks a rule);
- an operation on something named in its path, or any change: 404;
- a change (POST, PUT, PATCH, DELETE): 409 (it conflicts with the state it found), 413 (a
  body over 1 MB), 415 (a body that is not JSON); a PATCH, a PUT of a record or a
  lease's step also 412 (a stale If-Match);
- an operation that makes a referral export on demand: 429, with Retry-After;
- a change: 503, with Retry-After, when PostgreSQL set it aside for a concurrent one (a
  deadlock or a serialisation failure): nothing of it was saved and sending it again works;
- the health checks: 503 when the database does not answer (or, for readiness, migrations
  are pending); liveness answers only while the process serves.
"""

from __future__ import annotations

from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["status_code", "detail"],
    properties={
        "status_code": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING, description="What went wrong, in a sentence"),
        "errors": Schema(
            type=OpenAPIType.OBJECT,
            description="For a broken rule: each field's name and the rule it broke",
        ),
        "request_id": Schema(
            type=OpenAPIType.STRING,
            description="The request's id (also the X-Request-ID header): quote it to the "
            "park's operators, whose log lines carry it",
        ),
    },
    description="The body of every error answer",
)

REASONS = {
    400: "A parameter or the body cannot be read, or breaks a limit (depth, NUL bytes, range)",
    401: "Signing in, or a partner's API token, is needed",
    403: "The viewer may not do this (for a change with a session: the X-CSRFToken header)",
    404: "Nothing with that id, or nothing the viewer may see",
    409: "The change conflicts with the state it found (a taken slot, a changed status)",
    413: "The body is over 1 MB",
    415: "The body is not JSON (Content-Type: application/json)",
    422: "A value breaks a rule: `errors` names each field and the rule",
    412: "If-Match named a version that is no longer the current one: read it again",
    429: "Too many exports within the hour: try again after Retry-After seconds",
    503: "PostgreSQL set the change aside for a concurrent one (a deadlock): nothing was "
    "saved; send it again after Retry-After seconds",
}
NOT_READY = "Not ready: the database does not answer, or migrations are pending"
WAIT_AND_RETRY = (429, 503)

CHANGES = ("post", "put", "patch", "delete")
RATE_LIMITED = ("/exports",)
# Changes that honour If-Match besides every PATCH and PUT: a lease's life-cycle steps and an
# MOU's renewal. Consents are not versioned records (a PUT grants or changes one).
VERSIONED_ACTIONS = ("/api/leases/{lease_id}/", "/api/partners/mous/{mou_id}/renew")
UNVERSIONED_PUTS = ("/api/partners/consents/",)


def statuses(method: str, path: str) -> list[int]:
    """The error statuses an operation of the API can answer."""
    if path.startswith("/health"):
        return [] if path.endswith("/live") else [503]
    codes = {400, 401, 403, 422}
    if "{" in path or method in CHANGES:
        codes.add(404)
    if method in CHANGES:
        codes |= {409, 413, 415, 503}
        if (
            method == "patch"
            or path.startswith(VERSIONED_ACTIONS)
            or (method == "put" and not path.startswith(UNVERSIONED_PUTS))
        ):
            codes.add(412)
        if path.endswith(RATE_LIMITED):
            codes.add(429)
    return sorted(codes)


def document_errors(openapi: OpenAPI) -> OpenAPI:
    """Add the error answers to every operation of the document (in place)."""
    openapi.components.schemas = dict(openapi.components.schemas or {}) | {"Problem": PROBLEM}
    problem = {
        "application/json": OpenAPIMediaType(schema=Reference("#/components/schemas/Problem"))
    }
    for path, item in (openapi.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = dict(operation.responses or {})
            for code in statuses(method, path):
                headers = (
                    {"Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER))}
                    if code in WAIT_AND_RETRY and not path.startswith("/health")
                    else None
                )
                reason = NOT_READY if path.startswith("/health") else REASONS[code]
                responses.setdefault(
                    str(code), OpenAPIResponse(description=reason, content=problem, headers=headers)
                )
            operation.responses = responses
    return openapi
