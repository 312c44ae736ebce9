"""Publication dates as the input states them, at the precision it states them.

A date is a `PartialDate`: the day, or the first day of a month or a year, and how much of it
is known, as `Article.date_precision` stores it. A date comes from the text or the markup,
or there is none: never from clocks or file times, which only bound it (`latest_date`).
"""

import datetime
import re
from typing import NamedTuple

from django.utils import timezone

DAY, MONTH, YEAR, UNKNOWN = "day", "month", "year", "unknown"

# No article in the archive is older: an earlier year in a page is not its date, and one
# an editor types is a slip (0016 for 2016).
EARLIEST_YEAR = 1800


def latest_date() -> datetime.date:
    """The last day an article can have been published on: tomorrow, since it is already
    tomorrow east of the server, where it may have appeared."""
    return timezone.localdate() + datetime.timedelta(days=1)


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TEXT_FORMATS = [
    # May 16, 2015 / Monday, May 16, 2015 / Sept. 3 2016
    re.compile(rf"^{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
    # 16 May 2015 / Monday 16 May 2015
    re.compile(rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
    # May 2015
    re.compile(rf"^{_MONTH},?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
]
# 2015-05-16, 2015-05-16T09:00:00+09:00, 2015/05/16, 2016-12, 2016
_ISO = re.compile(
    r"^(?P<year>\d{4})(?:[-/](?P<month>\d{1,2})(?:[-/](?P<day>\d{1,2}))?)?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
# 20150516 (compact ISO, as some CMSs write it)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?:T[\d:.+\-Z]*)?$")


class PartialDate(NamedTuple):
    value: datetime.date
    precision: str

    def describe(self) -> str:
        if self.precision == DAY:
            return f"{self.value.day} {self.value:%B %Y}"
        if self.precision == MONTH:
            return f"{self.value:%B %Y}"
        return str(self.value.year)


def parse_date(text: str) -> PartialDate | None:
    """The date `text` states, or None when it is not (only) a date.

    "2016-12-10T09:00+09:00" is 10 December 2016, the day as the publisher wrote it (no
    conversion to UTC); "2016-12" is December 2016 (month); "2016" is the year. Impossible
    dates ("2016-02-30") and years outside EARLIEST_YEAR–2199 are not dates.
    """
    text = " ".join((text or "").split())
    if not text:
        return None
    for pattern in (_ISO, _COMPACT):
        if match := pattern.match(text):
            return _build(match["year"], match["month"], match["day"])
    for pattern in _TEXT_FORMATS:
        if match := pattern.match(text):
            month = MONTHS.get(match["month"].lower())
            if month is None:
                return None
            return _build(match["year"], str(month), match.groupdict().get("day"))
    return None


def _build(year: str, month: str | None, day: str | None) -> PartialDate | None:
    try:
        y = int(year)
        if not EARLIEST_YEAR <= y <= 2199:
            return None
        if month is None:
            return PartialDate(datetime.date(y, 1, 1), YEAR)
        if day is None:
            return PartialDate(datetime.date(y, int(month), 1), MONTH)
        return PartialDate(datetime.date(y, int(month), int(day)), DAY)
    except ValueError:
        return None
