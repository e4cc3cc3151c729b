"""A reader's own sources: add by URL (with autodiscovery), OPML import and export.

Sources are stored and looked up under `clean.canonical_feed_url`, so the same feed
spelt differently (`HTTPS://Blog.Example.com:443/feed`) is one source.
"""

import time
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from feed.ingest import clean, discover
from feed.ingest import fetch as fetching
from feed.ingest.opml import OpmlFeed, build_opml, parse_opml
from feed.ingest.parse import ParseError, parse_feed
from feed.models import Article, Source, Subscription
from feed.services import ingestion

# How many of the feeds a web page links to are tried (then every common path).
MAX_PAGE_LINKS = 5
MAX_ROW_ID = 2**63 - 1
UNUSABLE_OUTLINE = "Only full http:// or https:// addresses can be imported."


class SourceError(Exception):
    """Adding a source failed; the message says why, in words a person can act on."""


class _OutOfTime(Exception):
    """Adding a source used up its deadline (ADD_SOURCE_DEADLINE_SECONDS)."""


@dataclass(frozen=True)
class _Deadline:
    """One deadline for every fetch made to add a source: each fetch gets its own
    timeout or the time left, whichever is shorter."""

    policy: fetching.FetchPolicy
    at: float  # time.monotonic() value

    def fetch(self, url: str) -> fetching.FetchResult:
        """fetch_feed within the time left; _OutOfTime when none is left, or when
        the fetch ran out of time because the deadline came."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise _OutOfTime
        try:
            return fetching.fetch_feed(
                url, policy=replace(self.policy, timeout=min(self.policy.timeout, left))
            )
        except fetching.FetchError as error:
            if error.kind == "timeout" and time.monotonic() >= self.at:
                raise _OutOfTime from error
            raise


@dataclass(frozen=True)
class AddResult:
    source: Source
    created: bool  # the source was new to this Tidings
    subscribed: bool  # the reader did not follow it before
    new_articles: int  # stored by the fetch just made
    articles: int  # all the source's articles, now in the reader's feed


@dataclass(frozen=True)
class ImportResult:
    added: int = 0
    already: int = 0
    # (url, reason) of the feeds not imported: refused or not usable addresses
    refused: list[tuple[str, str]] = field(default_factory=list)


def sources_for(user) -> list[Subscription]:
    return list(
        Subscription.objects.filter(user=user)
        .select_related("source")
        .order_by("source__title", "source__url")
    )


def add_source(user, address: str) -> AddResult:
    """Subscribe the reader to the feed at `address`, or to the feed a web page at
    `address` links to. The feed is fetched now, so its articles show at once.

    The source keeps the address asked for, or where permanent redirects (only)
    lead: a temporary redirect's target (often a signed, dated URL) is not kept.
    An address without a scheme is tried over https, then over http if no
    connection could be made; `feed://host/x` and `feed:https://host/x` are read
    as the http(s) addresses they stand for. An address too long to store once
    canonical is refused with a message. All the fetches share one deadline
    (ADD_SOURCE_DEADLINE_SECONDS), so a slow site cannot hold a web worker for
    minutes: when it passes, no more addresses are tried.
    """
    address = clean.feed_scheme_to_http(address.strip())
    seconds = settings.ADD_SOURCE_DEADLINE_SECONDS
    deadline = _Deadline(ingestion.fetch_policy(), at=time.monotonic() + seconds)
    try:
        address, result, feed_url = _find_feed(address, deadline=deadline)
    except _OutOfTime as out_of_time:
        raise SourceError(
            f"{address} did not answer in time ({seconds:g} seconds); try the "
            "address of the site's RSS or Atom feed itself."
        ) from out_of_time

    # Where permanent redirects lead, unless too long to keep (as when a source
    # moves, see ingestion._move_source).
    url = ingestion.storable_url(result.permanent_url or feed_url)
    url = url or ingestion.storable_url(feed_url)
    if not url:
        raise SourceError(ingestion.TOO_LONG)
    now = timezone.now()
    with transaction.atomic():
        source, created = Source.objects.get_or_create(url=url)
        _, subscribed = Subscription.objects.get_or_create(user=user, source=source)
    ingestion.enable_source(source, now=now)  # if disabled
    outcome = ingestion.ingest_fetched(source, result, now=now)
    return AddResult(
        source=source,
        created=created,
        subscribed=subscribed,
        new_articles=len(outcome.new_ids),
        articles=Article.objects.filter(source=source).count(),
    )


def _find_feed(
    address: str, *, deadline: _Deadline
) -> tuple[str, fetching.FetchResult, str]:
    """(the address, with the scheme that worked; the feed's fetch result; the
    feed's address: this one, or the one the page led to)."""
    try:
        if _has_scheme(address):
            result = deadline.fetch(address)
        else:
            address, result = _fetch_without_scheme(address, deadline=deadline)
    except fetching.FetchError as error:
        raise SourceError(_fetch_message(error)) from error

    try:
        parse_feed(
            result.content,
            url=result.url,
            now=timezone.now(),
            content_type=result.content_type,
        )
    except ParseError as not_a_feed:
        found = _discover(result, deadline=deadline)
        if found is None:
            raise SourceError(
                f"No feed found at {address}: {not_a_feed} Try the address of the "
                "site's RSS or Atom feed."
            ) from not_a_feed
        return address, found[1], found[0]
    return address, result, address


def _has_scheme(address: str) -> bool:
    """Whether the address starts with a scheme (`https:`, `ftp:`), rather than
    with a host (`example.com/feed`, `example.com:8080/feed`)."""
    try:
        scheme = urlsplit(address).scheme
    except ValueError:
        return True  # for the fetcher to refuse, saying why
    return bool(scheme) and not address[len(scheme) + 1 :][:1].isdigit()


def _fetch_without_scheme(
    address: str, *, deadline: _Deadline
) -> tuple[str, fetching.FetchResult]:
    """(the address with the scheme that worked, its fetch result): https, or http
    when https could not connect (an http-only site). An HTTP error or a page
    over https is the site's answer, and is not tried again over http."""
    https, http = f"https://{address}", f"http://{address}"
    try:
        return https, deadline.fetch(https)
    except fetching.FetchError as error:
        if error.kind != "unreachable":
            raise
    return http, deadline.fetch(http)


def _discover(
    page: fetching.FetchResult, *, deadline: _Deadline
) -> tuple[str, fetching.FetchResult] | None:
    """The first feed the page links to (the first MAX_PAGE_LINKS of them), or
    found at a usual path of its site: (the address tried, its fetch result)."""
    candidates = discover.find_feed_links(page.content, page.url)[:MAX_PAGE_LINKS]
    candidates += [c for c in discover.candidate_urls(page.url) if c not in candidates]
    for candidate in candidates:
        try:
            result = deadline.fetch(candidate)
            parse_feed(result.content, url=result.url, now=timezone.now())
        except (fetching.FetchError, ParseError):
            continue
        return candidate, result
    return None


def _fetch_message(error: fetching.FetchError) -> str:
    if error.kind == "refused":
        return f"That address cannot be used: {error}"
    if error.kind in {"unreachable", "timeout"}:
        return str(error)  # already says the address could not be reached, and why
    return f"That address did not give a feed: {error}"


def unsubscribe(user, source_id: int) -> Source | None:
    """Stop following a source: the source unfollowed, or None when the reader did
    not follow it (a second click on Remove, another reader's source)."""
    if source_id > MAX_ROW_ID:
        return None  # no row can have it, and the database could not take it
    subscription = (
        Subscription.objects.filter(user=user, source_id=source_id)
        .select_related("source")
        .first()
    )
    if subscription is None:
        return None
    Subscription.objects.filter(pk=subscription.pk).delete()
    return subscription.source


def import_opml(user, data: bytes) -> ImportResult:
    """Subscribe to every feed in an OPML file; the scheduler fetches them soon.

    Raises OpmlError (with a message for people) for files that are not OPML."""
    allow_private = ingestion.fetch_policy().allow_private
    opml = parse_opml(data)
    added = already = 0
    refused = [(url, UNUSABLE_OUTLINE) for url in opml.unusable]
    for feed in opml.feeds:
        try:
            fetching.check_url_syntax(feed.url, allow_private=allow_private)
        except fetching.FetchError as error:
            refused.append((feed.url, str(error)))
            continue
        with transaction.atomic():
            source, _ = Source.objects.get_or_create(
                url=clean.canonical_feed_url(feed.url),
                defaults={"title": feed.title[:300]},
            )
            _, subscribed = Subscription.objects.get_or_create(user=user, source=source)
        added += subscribed
        already += not subscribed
    return ImportResult(added=added, already=already, refused=refused)


def export_opml(user) -> bytes:
    feeds = [
        OpmlFeed(url=s.source.url, title=s.source.title or s.source.url)
        for s in sources_for(user)
    ]
    return build_opml(feeds, title=f"{user.username}'s Tidings sources")
