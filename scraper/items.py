"""What a spider hands to the pipelines: one article with its whole, merged comment thread.

An article and its comments travel together so that validation can check the thread as a whole
(unique ids, parents that exist) and storage never writes comments without their article.
Field names are the Parquet column names (``pipelines/schema.py``); dates are ISO 8601 strings
in UTC, as :func:`scraper.extractors.extract_page` returns them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    article: dict
    comments: list[dict] = field(default_factory=list)
