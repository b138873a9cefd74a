"""Errors a user can fix. The CLI prints any of them as one line and exits with code 2."""


class EmergesimError(Exception):
    """Base class: the message names the problem and what is allowed."""


class ParameterError(EmergesimError, ValueError):
    """A model or run parameter is unknown, of the wrong type or out of range."""


class UnknownModelError(EmergesimError, LookupError):
    """No model is registered under the requested name."""
