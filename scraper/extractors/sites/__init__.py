"""Site-specific extractors, one module per site. Each subclasses ``GenericExtractor``, sets
``domains``, and overrides only the fields the generic extractor gets wrong."""
