"""Natural due dates: what each phrase means relative to a fixed "now", and that nothing raises."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trello_tui.capture.dates import DateError, format_due, parse_date

PARIS = ZoneInfo("Europe/Paris")
# Wednesday 25 November 2026, 10:30 in Paris.
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=PARIS)


def at(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", at(2026, 11, 25)),
        ("Tomorrow", at(2026, 11, 26)),
        ("tmrw", at(2026, 11, 26)),
        ("yesterday", at(2026, 11, 24)),
        ("fri", at(2026, 11, 27)),
        ("Friday", at(2026, 11, 27)),
        ("wed", at(2026, 11, 25)),  # today counts as the next Wednesday
        ("tue", at(2026, 12, 1)),
        ("thurs", at(2026, 11, 26)),
        ("next fri", at(2026, 12, 4)),  # Friday of next week
        ("this fri", at(2026, 11, 27)),
        ("on monday", at(2026, 11, 30)),
        ("next week", at(2026, 11, 30)),  # next Monday
        ("next month", at(2026, 12, 1)),
        ("next year", at(2027, 1, 1)),
        ("weekend", at(2026, 11, 28)),
        ("in 3 days", at(2026, 11, 28)),
        ("3 days", at(2026, 11, 28)),
        ("3d", at(2026, 11, 28)),
        ("+2w", at(2026, 12, 9)),
        ("in a week", at(2026, 12, 2)),
        ("in 2 months", at(2027, 1, 25)),
        ("in 1 year", at(2027, 11, 25)),
        ("in 2 hours", at(2026, 11, 25, 12, 30)),
        ("in an hour", at(2026, 11, 25, 11, 30)),
        ("in 45 min", at(2026, 11, 25, 11, 15)),
        ("now", at(2026, 11, 25, 10, 30)),
        ("eod", at(2026, 11, 25, 17)),
        ("end of day", at(2026, 11, 25, 17)),
        ("eow", at(2026, 11, 27, 17)),
        ("eom", at(2026, 11, 30, 17)),
        ("fri eod", at(2026, 11, 27, 17)),
        ("fri 5pm", at(2026, 11, 27, 17)),
        ("fri at 5:30 pm", at(2026, 11, 27, 17, 30)),
        ("Fri, 9am", at(2026, 11, 27, 9)),
        ("tomorrow 17:00", at(2026, 11, 26, 17)),
        ("tomorrow noon", at(2026, 11, 26, 12)),
        ("in 3 days at 10:00", at(2026, 11, 28, 10)),
        ("next week 9am", at(2026, 11, 30, 9)),
        ("5pm", at(2026, 11, 25, 17)),  # later today
        ("9am", at(2026, 11, 26, 9)),  # already past today: tomorrow
        ("12am", at(2026, 11, 26, 0)),
        ("12pm", at(2026, 11, 25, 12)),
        ("2026-12-01", at(2026, 12, 1)),
        ("2026-12-01 17:00", at(2026, 12, 1, 17)),
        ("2026-12-01T17:00", at(2026, 12, 1, 17)),
        ("dec 5", at(2026, 12, 5)),
        ("5 December", at(2026, 12, 5)),
        ("December 5th", at(2026, 12, 5)),
        ("Dec 5, 2027", at(2027, 12, 5)),
        ("jan 5", at(2027, 1, 5)),  # already past this year: next year
        ("feb 29", at(2028, 2, 29)),  # the next year that has one
        ("dec 5 at 5pm", at(2026, 12, 5, 17)),
        ("12/01/2026 17:00", at(2026, 12, 1, 17)),
    ],
)
def test_phrases(text: str, expected: datetime) -> None:
    value = parse_date(text, NOW)
    assert value == expected
    assert isinstance(value, datetime)
    assert value.utcoffset() == expected.utcoffset()


def test_explicit_offsets_and_zones_are_kept() -> None:
    value = parse_date("2026-12-01T17:00+05:30", NOW)
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=5, minutes=30)
    assert value.hour == 17
    value = parse_date("2026-12-01T17:00Z", NOW)
    assert value == datetime(2026, 12, 1, 17, tzinfo=UTC)
    value = parse_date("Dec 5 2026 5:30 PM UTC", NOW)
    assert value == datetime(2026, 12, 5, 17, 30, tzinfo=UTC)


def test_results_follow_now_zone_across_dst() -> None:
    # 25 Nov is winter time in Paris (+01:00); 1 July is summer time (+02:00).
    value = parse_date("2027-07-01", NOW)
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=2)


def test_tz_argument_and_naive_now() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    value = parse_date("tomorrow", NOW, tz=tokyo)
    assert value == datetime(2026, 11, 26, 12, tzinfo=tokyo)  # 10:30 Paris is 18:30 Tokyo
    naive = parse_date("2026-12-01 17:00", datetime(2026, 11, 25, 10, 30))
    assert isinstance(naive, datetime)
    assert naive.tzinfo is not None
    assert (naive.year, naive.month, naive.day, naive.hour) == (2026, 12, 1, 17)


def test_default_time_is_a_parameter() -> None:
    assert parse_date("fri", NOW, default_time=time(9, 0)) == at(2026, 11, 27, 9)
    assert parse_date("fri 5pm", NOW, default_time=time(9, 0)) == at(2026, 11, 27, 17)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "someday",
        "5",  # a bare number is not a date
        "2026",
        "fri 5",  # nor a time
        "fri 25:00",
        "dec 2026",  # no day
        "5 dec EST",  # an unknown zone is refused, not silently dropped
        "13pm",
        "in 999999 years",
        "dec 5 2",  # dateutil reads 2002; we refuse
        "one two three four five six seven eight nine",
    ],
)
def test_errors_are_messages(text: str) -> None:
    value = parse_date(text, NOW)
    assert isinstance(value, DateError)
    assert value.message
    assert str(value) == value.message


def test_error_suggests_what_works() -> None:
    value = parse_date("someday", NOW)
    assert isinstance(value, DateError)
    assert 'cannot read "someday"' in value.message
    assert "tomorrow" in value.message


def test_format_due() -> None:
    assert format_due(at(2026, 11, 27, 17), NOW) == "Fri 27 Nov 17:00"
    assert format_due(at(2027, 1, 5), NOW) == "Tue 05 Jan 2027 12:00"


WORDS = st.sampled_from(
    [
        "today",
        "tomorrow",
        "fri",
        "next",
        "week",
        "in",
        "at",
        "5pm",
        "17:00",
        "3",
        "days",
        "d",
        "w",
        "eod",
        "noon",
        "dec",
        "5",
        "2026-12-01",
        "utc",
        ",",
        "+",
        "-",
        ":",
        "/",
        "jan",
        "29",
        "feb",
        "0",
        "99",
        "am",
        "pm",
        "the",
        "of",
        "this",
        "by",
        "on",
    ]
)
NOWS = st.one_of(
    st.datetimes(timezones=st.just(PARIS)),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(),
    st.datetimes(
        timezones=st.builds(timezone, st.timedeltas(-timedelta(hours=23), timedelta(hours=23)))
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(st.text(max_size=40), st.lists(WORDS, max_size=6).map(" ".join)),
    now=NOWS,
)
def test_never_raises(text: str, now: datetime) -> None:
    value = parse_date(text, now)
    assert isinstance(value, datetime | DateError)
    if isinstance(value, datetime):
        assert value.tzinfo is not None
        format_due(value, now)
