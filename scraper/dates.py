"""Dates: keep what the page printed, and a UTC timestamp made from it.

Structured values (ISO 8601 / RFC 3339, RFC 2822) are parsed directly; dateparser, which is slow
to import and to run, is only the fallback for human-written dates, and its answers are cached.
"""
from __future__ import annotations

import re
from calendar import monthrange
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

_ISO_HINT = re.compile(r"^\d{4}-\d{2}-\d{2}")
_MAX_RAW = 200


def to_utc(dt: datetime, default_tz: timezone = timezone.utc) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    return dt.astimezone(timezone.utc)


def parse_iso(raw: str) -> datetime | None:
    text = raw.strip().replace(" ", "T", 1) if _ISO_HINT.match(raw.strip()) else None
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None


def rfc2822(raw: str) -> datetime | None:
    """An RFC 2822 / HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"); None where it is none."""
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None


MONTH_NUMBERS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                             "sep", "oct", "nov", "dec"), 1)}
# An English month's name or abbreviation, whole (never the start of "maybe").
MONTH_NAME = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
              r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MONTH = "(" + MONTH_NAME + r")\.?"
# The English forms blogs print most ("March 2, 2026 at 10:15 am", "2 Mar 2026, 22:15"): read
# directly, as dateparser reads them, at a hundredth of its cost. Anything else goes to it.
_ENGLISH = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?(?:" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
    r"|(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4}))"
    r"(?:(?:\s*,\s*|\s+at\s+|\s+@\s+|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?)?$", re.I)


def _english(raw: str) -> datetime | None:
    m = _ENGLISH.match(raw)
    if not m:
        return None
    month, day, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
    hour, minute, second = int(m.group(7) or 0), int(m.group(8) or 0), int(m.group(9) or 0)
    meridiem = (m.group(10) or "").lower()
    if meridiem and not 1 <= hour <= 12:
        return None
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    try:
        return datetime(int(year), MONTH_NUMBERS[month[:3].lower()], int(day), hour, minute, second)
    except ValueError:
        return None


# Numeric dates ("09/25/2025", "23.07.2025", "2025/12/18", "Thu, 09/25/2025 - 11:38", "13/11/2025
# 09:21:40"), read as dateparser reads them for English: month first unless the first number
# cannot be a month's day of that month, a two-digit year in 1969-2068 (``strptime``'s ``%y``),
# "UTC" or "GMT" after the time naming UTC. A part out of range (day 0, 24:00) is left to it.
# Held to dateparser on every such form by tests/test_metadata.py.
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_NUMERIC = re.compile(
    "^" + _WEEKDAY + r"(?:((?:19|20)\d\d)([/.\-])(\d{1,2})\2(\d{1,2})|(\d{1,2})([/.\-])(\d{1,2})\6((?:19|20)\d\d|\d\d))"
    r"(?:(?:\s+-\s+|\s*,\s*|\s+at\s+|\s+@\s+|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?)?(\s+(?:utc|gmt))?$", re.I)


def _days_in(year: int, month: int) -> int:
    return monthrange(year, month)[1] if 1 <= month <= 12 else 0


def _numeric(raw: str) -> datetime | None:
    m = _NUMERIC.match(raw)
    if not m:
        return None
    if m.group(1):  # the year first: then month, day
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
    else:
        first, second, year = int(m.group(5)), int(m.group(7)), int(m.group(8))
        if len(m.group(8)) == 2:
            year += 2000 if year < 69 else 1900
        fits = 1 <= first <= 12 and 1 <= second <= _days_in(year, first)
        month, day = (first, second) if fits else (second, first)
    hour, minute, second = int(m.group(9) or 0), int(m.group(10) or 0), int(m.group(11) or 0)
    if not (1 <= day <= _days_in(year, month) and hour < 24 and minute < 60 and second < 60):
        return None
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc if m.group(12) else None)


@lru_cache(maxsize=4096)
def _human(raw: str, languages: tuple[str, ...] | None) -> datetime | None:
    import dateparser  # imported lazily: costs about a second

    try:
        return dateparser.parse(
            raw, languages=list(languages) if languages else None,
            # Aware when the text names a zone ("10:15 am EST"), naive otherwise; relative dates
            # ("2 hours ago") are counted from now in UTC, not in the machine's zone.
            settings={"TIMEZONE": "UTC", "PREFER_DAY_OF_MONTH": "first"},
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None


def _parse(raw: str | None, language: str | None) -> datetime | None:
    """``raw`` read as printed: aware when it states an offset, naive otherwise."""
    if not raw or len(raw) > _MAX_RAW:
        return None
    raw = raw.strip()
    dt = parse_iso(raw) or rfc2822(raw)
    if dt is None:
        langs = (language.split("-")[0].lower(),) if language else None
        if langs in (None, ("en",)):
            dt = _english(raw) or (_numeric(raw) if langs else None)
        dt = dt or _human(raw, langs)
    return dt


def parse_datetime(raw: str | None, language: str | None = None,
                   default_offset: timedelta | None = None) -> datetime | None:
    """A timezone-aware UTC datetime for ``raw``, or None when it does not read as a date.

    ``default_offset`` is used for dates printed without a timezone (for instance the site's
    offset learned from a structured date on the same page); UTC when unknown.
    """
    dt = _parse(raw, language)
    tz = timezone(default_offset) if default_offset is not None else timezone.utc
    return to_utc(dt, tz) if dt is not None else None


def printed_date(raw: str | None, language: str | None = None) -> str | None:
    """The calendar day ``raw`` names where it was written (``2020-04-12`` for
    ``2020-04-12T18:00-07:00``, which is the 13th in UTC): what a reader of the page sees."""
    dt = _parse(raw, language)
    return dt.date().isoformat() if dt is not None else None


def to_iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def iso_utc(raw: str | None, language: str | None = None,
            default_offset: timedelta | None = None) -> str | None:
    """``parse_datetime`` as an ISO 8601 string in UTC (``2016-03-29T09:15:00+00:00``)."""
    return to_iso(parse_datetime(raw, language, default_offset))


def utc_offset(raw: str | None) -> timedelta | None:
    """The offset a structured date carries, to read the page's other, naive dates with."""
    dt = parse_iso(raw) if raw else None
    return dt.utcoffset() if dt is not None and dt.tzinfo is not None else None


def iso_utc_format(raw: str | None, fmt: str, default_offset: timedelta | None = None) -> str | None:
    """``raw`` read with a site's known ``strptime`` format, as ISO 8601 UTC; None when it does
    not fit. For site extractors: a known format is exact where guessing is not."""
    if not raw:
        return None
    try:
        dt = datetime.strptime(raw.strip(), fmt)
    except ValueError:
        return None
    tz = timezone(default_offset) if default_offset is not None else timezone.utc
    return to_iso(to_utc(dt, tz))
