"""Muted words and phrases."""

import pytest

from feed.ranking.mutes import compile_mutes, keep_unmuted, matches


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("New AI rules", "ai"),
        ("OpenAI's AI's future", "AI"),
        ("Elon Musk speaks", "elon musk"),
        ("Elon-Musk’s firm", "Elon Musk"),
        ("ELON   MUSK", "Elon Musk"),
        ("New tariffs on steel", "tariff"),
        ("Tax and taxes", "taxes"),
        ("Cryptocurrency crash", "crypto*"),
        ("Zürich bank", "zürich"),
        ("Buses strike", "bus"),
        ("AIs everywhere", "AI"),
        ("US tariffs", "us"),
        ("New C++ compiler", "C++"),
        ("C# 12 ships", "c#"),
        (".NET 8 released", ".net"),
        ("AT&T deal", "AT&T"),
    ],
)
def test_matches(text, phrase):
    assert matches(text, [phrase])


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("He said so", "ai"),
        ("Taiwan exports", "ai"),
        ("Cryptocurrency crash", "crypto"),
        ("Musk oxen and Elon", "Elon Musk"),
        ("Anything at all", "   "),
        ("Anything at all", "!!"),
        ("Google uses new chips", "us"),
        ("Google uses new chips", "US"),
        ("Vitamin C cuts colds", "C++"),
        ("Grade C students", "C#"),
        ("Net income rose", ".NET"),
        ("C++ and C# news", "C"),
    ],
)
def test_does_not_match(text, phrase):
    assert not matches(text, [phrase])


def test_a_compiled_matcher_checks_several_phrases_and_texts():
    matcher = compile_mutes(["Trump", "", "crypto*"])
    assert matcher.phrases == ("Trump", "crypto*")
    assert matcher.matches_any("A title", "Bitcoin and crypto markets")
    assert not matcher.matches_any("A title", "A summary")


def test_no_mutes_match_nothing():
    assert not compile_mutes([]).matches("anything")
    assert keep_unmuted(["a", "Trump says"], ["trump"]) == [True, False]
