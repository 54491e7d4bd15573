"""The SDK's own version (the Retool API version it was generated from is ``__api_version__``)."""

__version__ = "0.1.0"
