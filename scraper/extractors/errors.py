"""The error an extractor raises for input it cannot read. Its own module: ``decoding`` raises
it for binary data and ``page`` imports ``decoding``, so neither can be its home."""


class ExtractionError(ValueError):
    """The input cannot be read as an HTML page; the message says why (binary data, ...)."""
