"""Fetching sources and storing their articles idempotently."""

import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from feed.ingest import fetch as fetching
from feed.ingest import schedule
from feed.ingest.clean import canonical_feed_url, fingerprint
from feed.ingest.hostlimit import HostBusy, HostLimiter
from feed.ingest.netguard import host_of
from feed.ingest.parse import Entry, ParsedFeed, ParseError, parse_feed
from feed.models import Article, Feedback, Source, Story
from feed.ranking import features
from feed.services import scoring, stories

logger = logging.getLogger(__name__)

# A claim older than this belongs to a dead worker; the source may be fetched again.
STALE_CLAIM = timedelta(minutes=15)
# How long a fetch waits for one of the host's slots before giving way.
HOST_WAIT_SECONDS = 10
FEED_FILE_SUFFIXES = {".xml", ".rss", ".atom"}
# Lookups by GUID/link/fingerprint go in chunks to stay under SQL parameter limits.
LOOKUP_CHUNK = 2000
TOO_LONG = (
    "The feed's address is longer than 2,000 characters, too long to be kept; "
    "try a shorter address of the same feed."
)


@dataclass(frozen=True)
class StoreResult:
    new_ids: tuple[int, ...] = ()
    duplicates: int = 0


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one source: counts for people, new ids for the scorer."""

    source_id: int
    label: str
    new_ids: tuple[int, ...] = ()
    duplicates: int = 0
    error: str = ""
    not_modified: bool = False
    skipped: bool = False  # another worker holds the source right now
    warnings: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return bool(self.error)


def fetch_policy() -> fetching.FetchPolicy:
    return fetching.FetchPolicy(
        timeout=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=settings.FETCH_MAX_BYTES,
        allow_private=settings.FETCH_ALLOW_PRIVATE_ADDRESSES,
        user_agent=settings.FETCH_USER_AGENT,
    )


def due_source_ids(*, now: datetime, limit: int = 500) -> list[int]:
    return list(
        Source.objects.due(now)
        .filter(
            Q(fetch_started_at__isnull=True) | Q(fetch_started_at__lt=now - STALE_CLAIM)
        )
        .order_by("next_fetch_at")
        .values_list("id", flat=True)[:limit]
    )


def claim_source(
    source_id: int, *, now: datetime, claim: str = "", force: bool = False
) -> Source | None:
    """Mark the source as being fetched; None when it is not due (unless `force`)
    or another worker holds it.

    A conditional UPDATE makes the claim exclusive across workers and processes. The
    same `claim` (a task id) may take it again: a task redelivered after its worker
    died resumes at once instead of waiting for the claim to go stale. A source
    that is not due is not claimed, so a duplicate task from a backed-up queue, or
    a finished task delivered again, does not fetch before the scheduled time
    (Retry-After, backoff, the feed's interval). `force` is for fetches a person
    asks for now.
    """
    free = Q(fetch_started_at__isnull=True) | Q(fetch_started_at__lt=now - STALE_CLAIM)
    if claim:
        free |= Q(fetch_claim=claim)
    sources = (
        Source.objects.filter(is_active=True) if force else Source.objects.due(now)
    )
    claimed = (
        sources.filter(pk=source_id)
        .filter(free)
        .update(fetch_started_at=now, fetch_claim=claim)
    )
    return Source.objects.get(pk=source_id) if claimed else None


def enable_source(source: Source, *, now: datetime) -> bool:
    """Re-enable a disabled source and fetch it soon, forgetting its failures.

    False, and nothing changed, when the source is active: its backoff and the
    server's Retry-After stand. The reader's button and the admin both come here.
    """
    forgotten = {
        "is_active": True,
        "disabled_reason": "",
        "consecutive_failures": 0,
        "first_failure_at": None,
        "next_fetch_at": now,
    }
    if not Source.objects.filter(pk=source.pk, is_active=False).update(**forgotten):
        return False
    for name, value in forgotten.items():
        setattr(source, name, value)
    return True


def fetch_source(
    source_id: int, *, now: datetime | None = None, claim: str = "", force: bool = False
) -> IngestOutcome:
    """Fetch, parse and store one source, recording its health either way.

    Skipped when the source is not due, unless `force` (see claim_source).
    """
    now = now or timezone.now()
    source = claim_source(source_id, now=now, claim=claim, force=force)
    if source is None:
        return IngestOutcome(source_id=source_id, label=str(source_id), skipped=True)
    try:
        with host_limiter().slot(host_of(source.url), wait=HOST_WAIT_SECONDS):
            result = fetching.fetch_feed(
                source.url,
                etag=source.etag,
                last_modified=source.last_modified,
                policy=fetch_policy(),
            )
    except HostBusy:
        _release(source, retry_at=now + timedelta(seconds=random.uniform(30, 90)))  # noqa: S311
        return IngestOutcome(source_id=source.pk, label=str(source), skipped=True)
    except fetching.FetchError as error:
        _record_failure(source, str(error), status=error.status, now=now, error=error)
        return IngestOutcome(source_id=source.pk, label=str(source), error=str(error))
    except Exception:
        # A bug, not the feed's fault; recorded all the same, so that the claim is
        # released and the source backs off instead of being retried at once.
        logger.exception("fetch of source %s raised an unexpected error", source.pk)
        message = "The feed could not be fetched because of an error in Tidings."
        _record_failure(source, message, status=None, now=now)
        return IngestOutcome(source_id=source.pk, label=str(source), error=message)

    if result.permanent_url and result.permanent_url != source.url:
        _move_source(source, result.permanent_url)
    if result.not_modified:
        source.etag = result.etag[:500]
        source.last_modified = result.last_modified[:100]
        _record_success(source, status=result.status, now=now, max_age=result.max_age)
        return IngestOutcome(source_id=source.pk, label=str(source), not_modified=True)
    return ingest_fetched(source, result, now=now)


def ingest_fetched(
    source: Source, result: fetching.FetchResult, *, now: datetime
) -> IngestOutcome:
    """ingest_bytes for the body of a fetch, with what its response said."""
    return ingest_bytes(
        source,
        result.content,
        url=result.url,
        content_type=result.content_type,
        now=now,
        status=result.status,
        max_age=result.max_age,
        etag=result.etag,
        last_modified=result.last_modified,
    )


def host_limiter() -> HostLimiter:
    return HostLimiter(
        redis.Redis.from_url(settings.REDIS_URL),
        limit=settings.FETCH_MAX_PER_HOST,
        lease_seconds=settings.FETCH_TIMEOUT_SECONDS * 2,
    )


def ingest_bytes(
    source: Source,
    data: bytes,
    *,
    url: str,
    now: datetime,
    content_type: str | None = None,
    status: int | None = None,
    max_age: int | None = None,
    etag: str = "",
    last_modified: str = "",
) -> IngestOutcome:
    """Parse feed bytes and store the entries for `source`.

    The response's validators (`etag`, `last_modified`) are kept only when the
    body parses: kept for a broken body, they would turn every later fetch into a
    304 that reports the feed healthy.
    """
    try:
        parsed = parse_feed(data, url=url, now=now, content_type=content_type)
    except ParseError as error:
        _record_failure(source, str(error), status=status, now=now)
        return IngestOutcome(source_id=source.pk, label=str(source), error=str(error))
    stored = store_entries(source, parsed.entries, now=now)
    source.etag = etag[:500]
    source.last_modified = last_modified[:100]
    _record_success(source, status=status, now=now, parsed=parsed, max_age=max_age)
    warnings = (parsed.warning,) if parsed.warning else ()
    return IngestOutcome(
        source_id=source.pk,
        label=str(source),
        new_ids=stored.new_ids,
        duplicates=stored.duplicates,
        warnings=warnings,
    )


def store_entries(
    source: Source, entries: Sequence[Entry], *, now: datetime
) -> StoreResult:
    """Insert the entries that are new for this source, each joined to its story
    and scored for every topic.

    An entry is a duplicate when the source already has its GUID or another key
    of it (see _Candidate): feeds that rewrite GUIDs do not duplicate. The unique
    (source, guid) constraint settles races between concurrent workers: each worker
    learns which rows its own INSERT stored (see _insert_new_articles). The insert
    is one transaction, so a worker killed half-way leaves nothing half-stored.
    Nothing is stored for a source deleted meanwhile (during its fetch).
    """
    candidates = _unique_within_batch(entries)
    known_guids, known_links, known_contents = set(), set(), set()
    for start in range(0, len(candidates), LOOKUP_CHUNK):
        chunk = candidates[start : start + LOOKUP_CHUNK]
        existing = Article.objects.filter(source=source).filter(
            Q(guid__in=[c.entry.guid for c in chunk])
            | Q(url__in=[c.link for c in chunk if c.link])
            | Q(fingerprint__in=[c.content for c in chunk if c.content])
        )
        for guid, url, digest in existing.values_list("guid", "url", "fingerprint"):
            known_guids.add(guid)
            known_links.add(url)
            known_contents.add(digest)
    fresh = [
        c
        for c in candidates
        if c.entry.guid not in known_guids
        and not (c.link and c.link in known_links)
        and not (c.content and c.content in known_contents)
    ]
    if not fresh:
        return StoreResult(duplicates=len(entries))

    vectors = features.transform(
        [features.Document(title=c.entry.title, text=c.entry.text) for c in fresh]
    )
    topic_scores = scoring.topic_scores_for(vectors)
    stamp = timezone.now()
    titles = [c.entry.title[:500] for c in fresh]
    try:
        with transaction.atomic():
            story_ids = stories.story_ids_for(
                vectors,
                [c.entry.published for c in fresh],
                source_id=source.pk,
                titles=titles,
            )
            encoded = features.encode_rows(vectors)
            inserted = _insert_new_articles(
                [
                    {
                        "source": source.pk,
                        "guid": c.entry.guid,
                        "url": c.entry.url,
                        "title": titles[i],
                        "summary": c.entry.summary_html,
                        "content": c.entry.content_html,
                        "author": c.entry.author[:300],
                        "image_url": c.entry.image_url[:2000],
                        "published_at": c.entry.published,
                        "fetched_at": stamp,
                        "fingerprint": c.digest,
                        "vector": encoded[i],
                        "topic_scores": topic_scores[i],
                        "scored_at": stamp,
                        "story": story_ids[i],
                    }
                    for i, c in enumerate(fresh)
                ]
            )
            stories.recount(set(story_ids))
    except IntegrityError:
        # Foreign keys are checked at commit: the source was deleted during the
        # fetch, or another error that is not for this function to handle.
        if Source.objects.filter(pk=source.pk).exists():
            raise
        logger.info("source %s was deleted while its entries were stored", source.pk)
        return StoreResult()
    # The next batches compare their articles with these: keep their rows at hand.
    position = {c.entry.guid: i for i, c in enumerate(fresh)}
    stories.row_cache.add(
        [(article_id, fresh[position[guid]].digest) for article_id, guid in inserted],
        vectors[[position[guid] for _, guid in inserted]],
    )
    new_ids = [article_id for article_id, _ in inserted]
    return StoreResult(
        new_ids=tuple(sorted(new_ids)), duplicates=len(entries) - len(new_ids)
    )


def _insert_new_articles(rows: list[dict]) -> list[tuple[int, str]]:
    """INSERT … ON CONFLICT (source, guid) DO NOTHING; returns (id, guid) of the
    rows this call inserted (not those another worker stored first).

    Values go through each field's own get_db_prep_save (text needs none), so they
    are stored exactly as the ORM would store them. Measured (bench/ingest.py):
    bulk_create spent most of its time building model instances and compiling SQL;
    on PostgreSQL, COPY into a scratch table and one INSERT … SELECT takes a fifth
    less than executemany, which runs the statement once per row.
    """
    fields = [Article._meta.get_field(name) for name in rows[0]]
    columns = [_db_values(f, [row[f.name] for row in rows]) for f in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(Article._meta.db_table)
    conflict = "ON CONFLICT (source_id, guid) DO NOTHING"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a scratch table (one per connection, emptied at commit),
            # then one INSERT … SELECT.
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS article_batch "  # noqa: S608
                f"ON COMMIT DELETE ROWS AS SELECT {names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY article_batch ({names}) FROM STDIN") as copy:
                for row in zip(*columns, strict=True):
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} "  # noqa: S608
                f"FROM article_batch {conflict} RETURNING id, guid"
            )
            return [(article_id, guid) for article_id, guid in cursor.fetchall()]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {conflict}",  # noqa: S608
            list(zip(*columns, strict=True)),
        )
    # Each worker stamps its rows with its own fetched_at: read back only those.
    stamp = rows[0]["fetched_at"]
    source_id = rows[0]["source"]
    inserted: list[tuple[int, str]] = []
    for start in range(0, len(rows), LOOKUP_CHUNK):
        guids = [row["guid"] for row in rows[start : start + LOOKUP_CHUNK]]
        inserted += Article.objects.filter(
            source_id=source_id, fetched_at=stamp, guid__in=guids
        ).values_list("id", "guid")
    return inserted


def _db_values(field: models.Field, values: list) -> list:
    """`values` as field.get_db_prep_save gives them; text is stored as it is.
    A value repeated as the same object (the batch's timestamps, its source) is
    prepared once."""
    if isinstance(field, models.CharField | models.TextField) and all(
        isinstance(v, str) for v in values
    ):
        return values
    prepared: dict[int, object] = {}
    result = []
    for value in values:
        key = id(value)  # `values` keeps every object alive: ids stay distinct
        if key not in prepared:
            prepared[key] = field.get_db_prep_save(value, connection)
        result.append(prepared[key])
    return result


@dataclass(frozen=True)
class _Candidate:
    """An entry with its content fingerprint and the keys, besides its GUID, that
    identify it ("" for none).

    The link identifies an entry unless it is the site's home page or other
    entries of the batch (with other GUIDs) share it: feeds that point every item
    at one page. The content (title + text) identifies an entry only when its
    link does not, and never a title alone: series such as "Morning Briefing" or
    "Open thread" repeat titles and boilerplate under new links.
    """

    entry: Entry
    digest: str
    link: str
    content: str


def _unique_within_batch(entries: Sequence[Entry]) -> list[_Candidate]:
    """The entries as candidates, dropping repeats of a GUID, link or content."""
    guids_per_link: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        guids_per_link[entry.url].add(entry.guid)
    seen_guids: set[str] = set()
    seen_keys: set[str] = set()  # links and fingerprints never look alike
    result = []
    for entry in entries:
        digest = fingerprint(entry.title, entry.text)
        link = entry.url
        if not link or len(guids_per_link[link]) > 1 or _is_home_page(link):
            link = ""
        content = digest if entry.text and not link else ""
        keys = {link, content} - {""}
        if entry.guid in seen_guids or keys & seen_keys:
            continue
        seen_guids.add(entry.guid)
        seen_keys |= keys
        result.append(_Candidate(entry, digest, link, content))
    return result


def _is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in {"", "/"} and not parts.query and not parts.fragment


def unscored_ids(*, source_id: int | None = None, limit: int = 5000) -> list[int]:
    """Articles stored but not scored yet (a worker died between the two steps)."""
    articles = Article.objects.filter(scored_at__isnull=True)
    if source_id is not None:
        articles = articles.filter(source_id=source_id)
    return list(articles.order_by("id").values_list("id", flat=True)[:limit])


def prune_old_articles(
    *, older_than: timedelta, now: datetime, batch: int = 1000
) -> int:
    """Delete articles published and fetched before `now - older_than` that nobody
    saved, liked, disliked or hid, in batches so that no statement locks much at
    once. Returns how many went.

    An article fetched since the cutoff may still be in its feed: deleted, it
    would be stored again as new on the next fetch. A dislike or a hide is kept
    with its article: it teaches the reader's model, and it keeps the story's
    other copies out of their pages and searches.

    A reader may save an article between the choice of a batch and its deletion:
    the batch's rows are locked first, then the conditions checked again by the
    delete, a statement that starts after the lock, so it sees every feedback
    committed until then; a save committing later waits for the lock and fails
    its foreign key instead of being deleted with the article."""
    cutoff = now - older_than
    kept = Feedback.objects.filter(
        signal__in=[Feedback.Signal.SAVE, Feedback.Signal.LIKE, *Feedback.DISMISSING]
    ).values("article_id")
    prunable = Article.objects.filter(
        published_at__lt=cutoff, fetched_at__lt=cutoff
    ).exclude(pk__in=kept)
    deleted = 0
    while True:
        ids = list(prunable.values_list("id", flat=True)[:batch])
        if not ids:
            break
        with transaction.atomic():
            locked = Article.objects.select_for_update().filter(pk__in=ids)
            list(locked.order_by("pk").values_list("pk"))
            _, per_model = prunable.filter(pk__in=ids).delete()
        deleted += per_model.get(Article._meta.label, 0)
    Story.objects.filter(articles__isnull=True).delete()
    return deleted


# The fields a fetch writes back, whatever its outcome (see _save_fetch_state).
FETCH_FIELDS = (
    "last_fetched_at",
    "last_status",
    "last_error",
    "consecutive_failures",
    "first_failure_at",
    "next_fetch_at",
    "fetch_started_at",
    "fetch_claim",
)


def _record_success(
    source: Source,
    *,
    status: int | None,
    now: datetime,
    parsed: ParsedFeed | None = None,
    max_age: int | None = None,
) -> None:
    source.last_fetched_at = now
    source.last_success_at = now
    source.last_status = status
    source.consecutive_failures = 0
    source.first_failure_at = None
    source.last_error = parsed.warning if parsed else ""
    if parsed is not None:
        if parsed.title and not (source.is_default and source.title):
            # The feed names itself, renames included; a name a reader's OPML
            # file gave was only a placeholder. Default sources keep the name
            # they were loaded with.
            source.title = parsed.title[:300]
        if parsed.site_url and not source.site_url:
            source.site_url = parsed.site_url[:2000]
        source.items_per_day = schedule.items_per_day(
            [e.published for e in parsed.entries if e.date_known], now=now
        )
        source.ttl_minutes = parsed.ttl_minutes
    delay = schedule.next_fetch_delay(
        items_per_day=source.items_per_day,
        max_age=max_age,
        ttl_minutes=source.ttl_minutes,
    )
    source.fetch_interval = delay
    source.next_fetch_at = now + delay
    source.fetch_started_at = None
    source.fetch_claim = ""
    fields = [*FETCH_FIELDS, "last_success_at", "fetch_interval", "etag"]
    fields.append("last_modified")
    if parsed is not None:
        fields += ["title", "site_url", "items_per_day", "ttl_minutes"]
    _save_fetch_state(source, fields)


def _record_failure(
    source: Source,
    message: str,
    *,
    status: int | None,
    now: datetime,
    error: fetching.FetchError | None = None,
) -> None:
    logger.info("fetch of source %s failed: %s", source.pk, message)
    source.last_fetched_at = now
    source.last_status = status
    source.last_error = message
    source.consecutive_failures += 1
    source.first_failure_at = source.first_failure_at or now
    if error is not None and error.kind == "gone":
        source.is_active = False
        source.disabled_reason = message[:300]
    elif now - source.first_failure_at >= timedelta(
        days=settings.FETCH_DISABLE_AFTER_DAYS
    ):
        since = f"{source.first_failure_at:%d %b %Y}"
        source.is_active = False
        reason = f"Disabled after failing since {since}: {message}"
        source.disabled_reason = reason[:300]
    fields = list(FETCH_FIELDS)
    if not source.is_active:  # disabled by this failure
        fields += ["is_active", "disabled_reason"]
    source.next_fetch_at = now + schedule.next_fetch_delay(
        items_per_day=source.items_per_day,
        consecutive_failures=source.consecutive_failures,
        retry_after=error.retry_after if error else None,
    )
    source.fetch_started_at = None
    source.fetch_claim = ""
    _save_fetch_state(source, fields)


def _save_fetch_state(source: Source, fields: Sequence[str]) -> None:
    """Write the fields a fetch owns, and only those, from the copy read at claim
    time: an admin's changes during the fetch (disabling it, its prior) stand.
    A source deleted during the fetch stays deleted."""
    written = Source.objects.filter(pk=source.pk).update(
        **{name: getattr(source, name) for name in fields}
    )
    if not written:
        logger.info("source %s was deleted during its fetch", source.pk)


def _release(source: Source, *, retry_at: datetime) -> None:
    """Give the claim back without a fetch (the host is busy): try again soon."""
    Source.objects.filter(pk=source.pk).update(
        fetch_started_at=None, fetch_claim="", next_fetch_at=retry_at
    )


def storable_url(url: str) -> str:
    """The canonical address to store a source under (see `sources`), or "" when
    it is longer than a source's address can be."""
    url = canonical_feed_url(url)
    return url if len(url) <= Source._meta.get_field("url").max_length else ""


def _move_source(source: Source, new_url: str) -> None:
    """A permanent redirect: remember the new address unless another source has
    it or it is too long to store."""
    new_url = storable_url(new_url)
    if not new_url:
        return
    with transaction.atomic():
        if not Source.objects.filter(url=new_url).exclude(pk=source.pk).exists():
            source.url = new_url
            Source.objects.filter(pk=source.pk).update(url=new_url)


# --- Local files and command-line ingestion -------------------------------------


def feed_files(path: Path) -> list[Path]:
    """The feed files at `path`: the file itself, or *.xml/*.rss/*.atom below it."""
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in FEED_FILE_SUFFIXES
        )
    return [path]


def source_for_file(path: Path) -> Source:
    """Local files become inactive default sources keyed by their file URI."""
    uri = path.resolve().as_uri()
    source, _ = Source.objects.get_or_create(
        url=uri,
        defaults={"title": path.stem, "is_default": True, "is_active": False},
    )
    return source


def ingest_file(path: Path, *, now: datetime | None = None) -> IngestOutcome:
    now = now or timezone.now()
    source = source_for_file(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        message = f"The file could not be read ({error.strerror or error})."
        return IngestOutcome(source_id=source.pk, label=str(path), error=message)
    outcome = ingest_bytes(source, data, url=source.url, now=now)
    return IngestOutcome(
        source_id=outcome.source_id,
        label=str(path),
        new_ids=outcome.new_ids,
        duplicates=outcome.duplicates,
        error=outcome.error,
        warnings=outcome.warnings,
    )


def ingest_url(url: str, *, now: datetime | None = None) -> IngestOutcome:
    """Fetch `url` now as a default source, stored under its canonical address
    (see `sources`). Nothing is stored for an address that cannot be fetched or
    is not a feed: the scheduler would keep fetching it, and every reader would
    see it among the default sources."""
    now = now or timezone.now()
    try:
        fetching.check_url_syntax(url, allow_private=fetch_policy().allow_private)
    except fetching.FetchError as error:
        return IngestOutcome(source_id=0, label=url, error=str(error))
    stored_url = storable_url(url.strip())
    if not stored_url:
        return IngestOutcome(source_id=0, label=url, error=TOO_LONG)
    source, created = Source.objects.get_or_create(
        url=stored_url, defaults={"is_default": True}
    )
    outcome = fetch_source(source.pk, now=now, force=True)
    if created and outcome.failed:
        source.delete()
        return IngestOutcome(source_id=0, label=url, error=outcome.error)
    if outcome.skipped:
        return IngestOutcome(
            source_id=source.pk,
            label=url,
            error="The source is disabled or being fetched by a worker right now.",
        )
    return IngestOutcome(
        source_id=outcome.source_id,
        label=url,
        new_ids=outcome.new_ids,
        duplicates=outcome.duplicates,
        error=outcome.error,
        not_modified=outcome.not_modified,
    )
