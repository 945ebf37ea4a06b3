"""An extractor package outside the project, as a user would add through ``EXTRACTOR_PACKAGES``."""
