"""Site extractors, one module per site. Each subclasses ``SiteExtractor`` (a
``GenericExtractor``), declares the ``domains`` and/or URL ``patterns`` it serves, and overrides
only the fields the generic extractor gets wrong. The registry finds them here; nothing else
needs to change to add one (see CONTRIBUTING.md)."""
