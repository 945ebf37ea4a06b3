"""Comment systems: fetching a page's thread from where the blog keeps it (a Disqus forum, a
Blogger comment feed, an Isso server ...). Pure functions and classes: the spider does the
fetching. ``base.py`` holds the interface, ``registry.py`` finds the systems, and each other
module is one system."""
from .base import Batch, CommentSystem, CommentSystemError, Embed, Fetch, Unavailable, comment_row
from .registry import detect, load_packages, system_named, systems

__all__ = ["Batch", "CommentSystem", "CommentSystemError", "Embed", "Fetch", "Unavailable", "comment_row",
           "detect", "load_packages", "system_named", "systems"]
