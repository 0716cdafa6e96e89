"""Natural due dates: ``today``, ``fri 5pm``, ``next week``, ``in 3 days``, ``2026-12-01 17:00``.

Used by quick capture (``due:``) and by the UI's due-date prompt. Everything here is pure: the
caller passes ``now``, and the answer is either an aware :class:`datetime` or a
:class:`DateError` whose message says what would have worked. Nothing raises.

Conventions (documented in the README's capture section):

- A date without a time gets ``default_time`` (12:00, Trello's own default for a new due date).
- ``eod`` is 17:00 today, ``eow`` Friday 17:00 this week, ``eom`` the month's last day at 17:00.
- A weekday alone (``fri``) is the next such day, today included; ``next fri`` is the Friday of
  next week (weeks start on Monday); ``next week`` is next Monday.
- A time alone (``5pm``) is today at that time, or tomorrow when that moment has passed.
- A day and month without a year (``dec 5``) is the next such date, today included.
- Results are in ``tz`` if given, else in ``now``'s zone, else the machine's local zone; an
  explicit zone or offset in the text (``2026-12-01T17:00+01:00``, ``... UTC``) is kept.
"""

from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final

DEFAULT_TIME: Final = time(12, 0)
END_OF_DAY: Final = time(17, 0)
EXAMPLES: Final = "today, tomorrow, fri, next week, in 3 days, eod, 5pm, 2026-12-01 17:00"
# Longest phrase we try to read; longer text is refused before any work is done.
MAX_WORDS: Final = 8

WEEKDAYS: Final[dict[str, int]] = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "weds", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_UNITS: Final[dict[str, str]] = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"),
    **dict.fromkeys(("d", "day", "days"), "days"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("mo", "month", "months"), "months"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "years"),
}
_NAMED_TIMES: Final[dict[str, time]] = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "midnight": time(0, 0),
    "morning": time(9, 0),
    "afternoon": time(15, 0),
    "evening": time(18, 0),
    "tonight": time(20, 0),
    "eod": END_OF_DAY,
}
_TIME_RE: Final = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$")
_REL_RE: Final = re.compile(r"^\+?(\d{1,6})([a-z]+)$")
_DATE_ONLY_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BARE_NUMBER_RE: Final = re.compile(r"^[\d\s.]+$")


@dataclass(frozen=True)
class DateError:
    """Why a piece of text is not a date; ``message`` is ready to show to the user."""

    message: str

    def __str__(self) -> str:
        return self.message


def _local_zone() -> tzinfo:
    # dateutil is imported on first use: `trello-tui add` pays for it only when it needs it.
    from dateutil import tz as du_tz

    return du_tz.tzlocal()


def local_now() -> datetime:
    """Now in the machine's zone, with its DST rules (what callers pass to :func:`parse_date`)."""
    return datetime.now(_local_zone())


def parse_date(
    text: str,
    now: datetime,
    *,
    default_time: time = DEFAULT_TIME,
    tz: tzinfo | None = None,
) -> datetime | DateError:
    """Read ``text`` as a due date relative to ``now``. Never raises."""
    zone = tz or now.tzinfo or _local_zone()
    raw = text.replace(",", " ").split()  # commas are decoration: "fri, 5pm"
    words = [word.lower() for word in raw]
    if not words:
        return DateError("no date given; try " + EXAMPLES)
    if len(words) > MAX_WORDS:
        return DateError(f'"{_clip(text)}" is too long for a date; try {EXAMPLES}')
    try:
        now = now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)
        found = _parse_iso(" ".join(words), default_time, zone)
        if found is None:
            found = _parse_natural(raw, now, default_time)
        if found is None:
            found = _parse_absolute(" ".join(raw), now, default_time)
    except (OverflowError, ValueError):
        # Arithmetic past year 9999 ("in 999999 years") lands here.
        return DateError(f'"{_clip(text)}" is out of range')
    if found is None:
        return DateError(f'cannot read "{_clip(text)}" as a date; try {EXAMPLES}')
    return found


def format_due(value: datetime, now: datetime) -> str:
    """A short human form for previews: ``Fri 28 Nov 17:00`` (year only when not this year)."""
    try:
        local = value.astimezone(now.tzinfo) if now.tzinfo is not None else value
    except (OverflowError, ValueError):
        local = value  # at the edge of datetime's range; show it as written
    pattern = "%a %d %b %H:%M" if local.year == now.year else "%a %d %b %Y %H:%M"
    return local.strftime(pattern)


def _clip(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _parse_iso(text: str, default_time: time, zone: tzinfo) -> datetime | None:
    """``2026-12-01``, ``2026-12-01 17:00``, ``2026-12-01T17:00:00+01:00``: exact and fast."""
    if not text[:4].isdigit():
        return None
    try:
        value = datetime.fromisoformat(text.upper())
    except ValueError:
        return None
    if _DATE_ONLY_RE.match(text):
        value = datetime.combine(value.date(), default_time)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _parse_natural(raw: list[str], now: datetime, default_time: time) -> datetime | None:
    """Our own small grammar: ``<date part> [at] <time part>``, either part optional."""
    words = [word.lower() for word in raw]
    whole = _date_part(words, now)
    if whole is not None:
        day, fixed = whole
        return fixed if fixed is not None else _at(day, default_time, now)
    # A time part is at most the last three words ("at 5 pm").
    for cut in range(max(0, len(words) - 3), len(words)):
        clock = _time_part(words[cut:])
        if clock is None:
            continue
        if cut == 0:
            moment = _at(now.date(), clock, now)
            return moment if moment > now else _at(now.date() + timedelta(days=1), clock, now)
        head = _date_part(words[:cut], now)
        if head is not None and head[1] is None:
            return _at(head[0], clock, now)
        if head is None:
            # "dec 5 at 5pm", "12/01 17:00": an absolute date with our time grammar.
            absolute = _parse_absolute(" ".join(raw[:cut]), now, clock)
            if absolute is not None:
                return absolute
    return None


def _at(day: date, clock: time, now: datetime) -> datetime:
    return datetime.combine(day, clock, tzinfo=now.tzinfo)


def _time_part(words: list[str]) -> time | None:
    if words and words[0] in ("at", "@", "by"):
        words = words[1:]
    if not words or len(words) > 2:
        return None
    joined = "".join(words)
    if joined in _NAMED_TIMES:
        return _NAMED_TIMES[joined]
    match = _TIME_RE.match(joined)
    if match is None:
        return None
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem is None and match[2] is None:
        return None  # a bare "5" is a day or a count, never a time
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


DatePart = tuple[date, datetime | None]


def _date_part(words: list[str], now: datetime) -> DatePart | None:
    """A day (and, for ``now``, ``eod``, ``in 2 hours``, an exact moment) or ``None``."""
    if words and words[0] in ("on", "by") and len(words) > 1:
        words = words[1:]
    today = now.date()
    phrase = " ".join(words)
    if phrase in _DAYS:
        return _DAYS[phrase](today), None
    if phrase in _ENDS:
        day = _ENDS[phrase](today)
        return day, _at(day, END_OF_DAY, now)
    if phrase in ("now", "right now"):
        return today, now.replace(second=0, microsecond=0)
    if len(words) == 1 and words[0] in WEEKDAYS:
        return _weekday_from(today, WEEKDAYS[words[0]]), None
    if len(words) == 2 and words[1] in WEEKDAYS and words[0] in ("this", "next", "coming"):
        weekday = WEEKDAYS[words[1]]
        if words[0] == "next":
            return _monday(today) + timedelta(weeks=1, days=weekday), None
        return _weekday_from(today, weekday), None
    return _relative(words, now)


def _add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st becomes the month's last day when it has fewer."""
    year, index = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, index + 1, min(day.day, calendar.monthrange(year, index + 1)[1]))


def _first_of_next_month(day: date) -> date:
    return _add_months(day.replace(day=1), 1)


# Computed lazily (only the phrase asked for), so a "now" near year 9999 still reads "today".
_DAYS: Final[dict[str, Callable[[date], date]]] = {
    **dict.fromkeys(("today", "tod"), lambda d: d),
    **dict.fromkeys(("tomorrow", "tmr", "tmrw"), lambda d: d + timedelta(days=1)),
    "yesterday": lambda d: d - timedelta(days=1),
    "next week": lambda d: _monday(d) + timedelta(weeks=1),
    "next month": _first_of_next_month,
    "next year": lambda d: date(d.year + 1, 1, 1),
    **dict.fromkeys(("weekend", "this weekend"), lambda d: _weekday_from(d, 5)),
    "next weekend": lambda d: _monday(d) + timedelta(weeks=1, days=5),
}
_ENDS: Final[dict[str, Callable[[date], date]]] = {
    **dict.fromkeys(("eod", "end of day"), lambda d: d),
    **dict.fromkeys(("eow", "end of week"), lambda d: _weekday_from(d, 4)),
    **dict.fromkeys(("eom", "end of month"), lambda d: _first_of_next_month(d) - timedelta(days=1)),
}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekday_from(day: date, weekday: int) -> date:
    """The first ``weekday`` on or after ``day``."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _relative(words: list[str], now: datetime) -> DatePart | None:
    """``in 3 days``, ``3d``, ``+2w``, ``in an hour``, ``2 weeks``."""
    if words and words[0] == "in":
        words = words[1:]
    if len(words) == 1:
        match = _REL_RE.match(words[0])
        if match is None:
            return None
        count, unit = int(match[1]), _UNITS.get(match[2])
    elif len(words) == 2:
        amount = words[0].lstrip("+")
        count = 1 if amount in ("a", "an", "one") else int(amount) if amount.isdigit() else -1
        unit = _UNITS.get(words[1])
        if count < 0 or len(amount) > 6:
            return None
    else:
        return None
    if unit is None:
        return None
    if unit in ("minutes", "hours"):
        moment = now.astimezone(UTC) + timedelta(**{unit: count})
        moment = moment.astimezone(now.tzinfo).replace(second=0, microsecond=0)
        return moment.date(), moment
    if unit == "days":
        return now.date() + timedelta(days=count), None
    if unit == "weeks":
        return now.date() + timedelta(weeks=count), None
    return _add_months(now.date(), count * (12 if unit == "years" else 1)), None


def _parse_absolute(text: str, now: datetime, clock: time) -> datetime | None:
    """Month names and numeric dates through dateutil, with guards against its leniency.

    dateutil happily reads "5" as the 5th and "fri 5" as the 5th whatever its weekday; we only
    let it see text with a day number, no weekday word, and both a month and a day.
    """
    words = text.lower().split()
    if (
        not any(ch.isdigit() for ch in text)
        or _BARE_NUMBER_RE.match(text)
        or any(word in WEEKDAYS for word in words)
        or words[-1] in ("at", "on", "of", "and", "the")
    ):
        return None
    first = _dateutil(text, datetime(2000, 1, 1, 0, 0))
    second = _dateutil(text, datetime(2004, 2, 2, 1, 1))
    if first is None or second is None:
        return None
    if (first.month, first.day) != (second.month, second.day):
        return None  # "dec 2026": no day, so no date
    has_time = (first.hour, first.minute) == (second.hour, second.minute)
    value = first if has_time else datetime.combine(first.date(), clock, tzinfo=first.tzinfo)
    if first.year != second.year:
        rolled = _next_occurrence(value, now)
        if rolled is None:
            return None
        value = rolled
    elif value.year < now.year - 1:
        return None  # "dec 5 2" is not a due date in 2002; most likely a word too many
    return value if value.tzinfo is not None else value.replace(tzinfo=now.tzinfo)


def _next_occurrence(value: datetime, now: datetime) -> datetime | None:
    """Put a year on a yearless date: the first occurrence today or later (29 Feb included)."""
    for year in range(now.year, now.year + 9):
        try:
            candidate = value.replace(year=year)
        except ValueError:
            continue
        if candidate.date() >= now.date():
            return candidate
    return None


def _dateutil(text: str, default: datetime) -> datetime | None:
    from dateutil import parser as du_parser

    with warnings.catch_warnings():
        # An unknown zone name ("EST") makes dateutil warn and drop it; we refuse instead.
        warnings.simplefilter("error", du_parser.UnknownTimezoneWarning)
        try:
            return du_parser.parse(text, default=default, dayfirst=False)
        except Exception:
            # dateutil signals bad input with several exception types (ParserError,
            # OverflowError, the warning above, calendar errors); all mean "not a date".
            return None
