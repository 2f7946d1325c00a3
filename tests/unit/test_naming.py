"""Channel names: valid for Slack, number always kept, any script handled."""

import re

import pytest

from bot.incidents.naming import channel_name, slugify

VALID = re.compile(r"^[a-z0-9_-]{1,80}$")
T = "inc-{number}-{slug}"


@pytest.mark.parametrize(("title", "expected"), [
    ("Checkout API returning 500s", "inc-42-checkout-api-returning-500s"),
    ("Оплата не работает", "inc-42-oplata-ne-rabotaet"),
    ("支付失败", "inc-42-zhifushibai"),
    ("¡Caída del café!", "inc-42-caida-del-cafe"),
    ("!!!", "inc-42-incident"),
    ("🔥", "inc-42-fire"),
    ("Don't   panic__now", "inc-42-dont-panic__now"),
])
def test_titles_in_any_language_become_valid_slugs(title: str, expected: str) -> None:
    assert channel_name(T, 42, title) == expected


def test_a_300_character_emoji_title_keeps_the_number_and_fits() -> None:
    name = channel_name(T, 123456, "🔥💥🚨" * 100)
    assert VALID.match(name) and name.startswith("inc-123456-") and len(name) <= 80


def test_long_titles_are_cut_at_a_word_boundary_and_suffixes_never_cut_the_number() -> None:
    title = "database connection pool exhausted on the primary cluster in eu-west-1 after a deploy of v2"
    first = channel_name(T, 9, title)
    assert len(first) <= 80 and not first.endswith("-")
    tenth = channel_name(T, 9, title, attempt=10)
    assert tenth.startswith("inc-9-") and tenth.endswith("-10") and len(tenth) <= 80 and VALID.match(tenth)


def test_drills_are_labelled_in_the_name() -> None:
    assert channel_name(T, 3, "Failover rehearsal", drill=True) == "inc-3-drill-failover-rehearsal"


def test_a_custom_template_is_made_valid() -> None:
    assert channel_name("INC {number} {slug}", 7, "Disk Full") == "inc-7-disk-full"
    assert channel_name("{number}", 7, "Disk Full") == "7"


def test_slugify_drops_what_cannot_be_said() -> None:
    assert slugify("   ") == ""
    assert slugify("a/b\\c") == "a-b-c"
