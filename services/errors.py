"""Errors raised by services, with messages meant for the person using Powerdesk."""


class ServiceError(Exception):
    """Base class: ``str(error)`` is safe and useful to show to a user."""


class InvalidInput(ServiceError):
    """The request cannot be carried out as given; the message says what to change."""


class NotFound(ServiceError):
    """The named thing does not exist."""


class Conflict(ServiceError):
    """The request clashes with what is stored (for example a user name already taken)."""


class Forbidden(ServiceError):
    """The person or machine asking may not do this (for example delete another user's run)."""
