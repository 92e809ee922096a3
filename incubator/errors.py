"""Errors services raise; the app turns each into a 4xx page or JSON body that names the rule."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Input broke a rule; `errors` maps each field to the rule it broke."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        detail = message or "; ".join(f"{field}: {rule}" for field, rule in errors.items())
        super().__init__(detail, errors)


class BadParameter(DomainError):
    """A query parameter that cannot be understood; `errors` names each parameter."""

    status_code = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class NotAuthenticated(DomainError):
    status_code = 401


class Conflict(DomainError):
    status_code = 409


class StaleVersion(DomainError):
    """The change was made against a version that is no longer the current one (If-Match)."""

    status_code = 412


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BodyRefused(DomainError):
    """A request's body the app does not read at all: too large (413), not JSON where JSON is
    taken (415), or malformed in a way no handler should meet (400)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
