"""Archival blog scraper: a Scrapy project that turns blog articles and their comment threads
into Parquet datasets."""

__version__ = "0.1.0"

# The researchers' loader; imports only the standard library until a dataset is opened.
from .dataset import Dataset, open_dataset  # noqa: E402

__all__ = ["Dataset", "open_dataset", "__version__"]
