"""Muted words and phrases: articles matching any of a reader's mutes never reach
ranking. Django-free.

Semantics, chosen to do what a reader means:

* case-insensitive, whole words: "AI" matches "AI", "ai" and "AI's" but not
  "said" or "Taiwan";
* a phrase matches its words in order with any spaces or punctuation between them:
  "Elon Musk" matches "elon musk", "Elon  Musk" and "Elon-Musk";
* the last word also matches its plural and possessive: "tariff" matches "tariffs",
  "tax" matches "taxes", "Musk" matches "Musk's" (but "us" does not match "uses":
  "-es" only follows s, x, z, ch or sh, and only in words of three letters or more);
* the symbols of names like "C++", "C#" and ".NET" count: "C++" does not match the
  "C" of "Vitamin C", nor ".NET" the "Net" of "Net income";
* a trailing * matches any word ending: "crypto*" matches "cryptocurrency";
* blank phrases and phrases with no letters or digits are ignored.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

# A word, with the symbols that belong to names such as "C++", "C#" and ".NET".
_WORD = re.compile(r"(?:^\.)?[^\W_]+[+#]*")
_SIBILANT = re.compile(r"(?:[sxz]|ch|sh)$", re.IGNORECASE)


def _pattern(phrase: str) -> str | None:
    phrase = phrase.strip()
    words = _WORD.findall(phrase)
    if not words:
        return None
    body = r"[\W_]+".join(re.escape(w) for w in words)
    last = words[-1]
    if phrase.endswith("*"):
        ending = r"[^\W_]*"
    elif last[-1] in "+#":
        ending = ""
    elif len(last) >= 3 and _SIBILANT.search(last):
        ending = r"(?:e?s|['’]s)?"
    else:
        ending = r"(?:s|['’]s)?"
    return rf"(?<![^\W_]){body}{ending}(?![^\W_]|[+#])"


@dataclass(frozen=True)
class MuteMatcher:
    """A reader's mutes compiled once: `matcher.matches(text)`."""

    phrases: tuple[str, ...]
    regex: re.Pattern | None

    def matches(self, text: str) -> bool:
        return bool(self.regex and text and self.regex.search(text))

    def matches_any(self, *texts: str) -> bool:
        return any(self.matches(t) for t in texts)


def can_match(phrase: str) -> bool:
    """Whether `phrase` can match any text (it has a letter or a digit)."""
    return _pattern(phrase) is not None


def compile_mutes(phrases: Iterable[str]) -> MuteMatcher:
    kept = tuple(p for p in phrases if p and _pattern(p))
    patterns = [_pattern(p) for p in kept]
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    return MuteMatcher(kept, regex if patterns else None)


def matches(text: str, phrases: Iterable[str]) -> bool:
    """True when `text` contains any of the muted `phrases`."""
    return compile_mutes(phrases).matches(text)


def keep_unmuted(texts: Iterable[str], phrases: Iterable[str]) -> list[bool]:
    """For each text, True when it matches none of `phrases` (for filtering a
    candidate list in one pass)."""
    matcher = compile_mutes(phrases)
    return [not matcher.matches(t) for t in texts]
