"""Archival blog scraper: a Scrapy project that turns blog articles and their comment threads
into Parquet datasets."""

__version__ = "0.1.0"
