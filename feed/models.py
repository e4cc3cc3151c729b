"""Tidings' data: sources and their articles, topics, follows, feedback, digests."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


class TopicQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TopicQuerySet":
        return self.filter(Q(owner__isnull=True) | Q(owner=user))


class SourceQuerySet(models.QuerySet):
    def due(self, now: datetime) -> "SourceQuerySet":
        """Sources to fetch now: active, due, and a default or followed by someone.
        A source nobody follows any more keeps its articles but is not fetched
        until someone subscribes to it again."""
        followed = Exists(Subscription.objects.filter(source=OuterRef("pk")))
        return self.filter(
            Q(is_default=True) | followed, is_active=True, next_fetch_at__lte=now
        )

    def for_user(self, user) -> "SourceQuerySet":
        return self.filter(Q(is_default=True) | Q(subscriptions__user=user))


class Topic(models.Model):
    """A subject a reader can follow: built in (owner is null) or made by a reader."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    seed_terms = models.TextField(
        blank=True,
        help_text="Words and phrases that characterise the topic, one per line.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_topics",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def score_key(self) -> str:
        """This topic's key in Article.topic_scores (not a bare number, which JSON
        paths would read as an array index)."""
        return self.key_for(self.pk)

    @staticmethod
    def key_for(topic_id: int) -> str:
        return f"t{topic_id}"

    @property
    def seed_term_list(self) -> list[str]:
        return [t.strip() for t in self.seed_terms.splitlines() if t.strip()]


class Source(models.Model):
    """An RSS/Atom feed and the health of its fetching."""

    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=300, blank=True)
    site_url = models.URLField(max_length=2000, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Part of every reader's feed (shipped with Tidings)."
    )
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    prior = models.FloatField(
        default=0.0, help_text="Source quality prior added to every article's score."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Fetch state and health
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    fetch_interval = models.DurationField(
        default=timedelta(hours=1), help_text="The delay chosen after the last fetch."
    )
    fetch_started_at = models.DateTimeField(null=True, blank=True)
    fetch_claim = models.CharField(
        max_length=64, blank=True, help_text="Id of the task holding the fetch."
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    items_per_day = models.FloatField(
        null=True,
        blank=True,
        help_text="Posting rate seen in the feed; empty if unknown.",
    )
    ttl_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The feed's <ttl>: fewest minutes between fetches it asks for.",
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "url"]

    def __str__(self) -> str:
        return self.title or self.url


class Subscription(models.Model):
    """A reader's own source (added by URL or OPML), beyond the default ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "source"], name="unique_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.source}"


class Story(models.Model):
    """One event as covered by one or more articles (near-duplicates across sources)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    article_count = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"Story {self.pk} ({self.article_count} articles)"


def visible_articles(user) -> Q:
    """Articles from default sources and from the reader's own sources."""
    own = Subscription.objects.filter(user=user).values("source_id")
    return Q(source__is_default=True) | Q(source_id__in=own)


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ArticleQuerySet":
        """Articles from default sources and from the reader's own sources."""
        return self.filter(visible_articles(user))

    def about(self, topic: "Topic", *, at_least: float) -> "ArticleQuerySet":
        """Articles whose probability for `topic` is at least `at_least`."""
        return self.filter(**{f"topic_scores__{topic.score_key}__gte": at_least})


class Article(models.Model):
    # Indexes are paid on every insert: the source's lookups use the (source, guid)
    # and (source, fingerprint) indexes, so neither column has one of its own.
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="articles", db_index=False
    )
    guid = models.CharField(max_length=1000)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True, help_text="Sanitised HTML.")
    content = models.TextField(blank=True, help_text="Sanitised HTML.")
    author = models.CharField(max_length=300, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    fingerprint = models.CharField(max_length=64)
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    vector = models.BinaryField(
        blank=True,
        default=b"",
        help_text="Hashed text features (feed.ranking.features).",
    )
    topic_scores = models.JSONField(
        default=dict,
        blank=True,
        help_text="Calibrated probability per topic (key Topic.score_key), if >= 0.05.",
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid"], name="unique_article_guid"
            )
        ]
        indexes = [models.Index(fields=["source", "fingerprint"])]

    def __str__(self) -> str:
        return self.title


class TopicModel(models.Model):
    """The fitted classifier for one topic (see feed.ranking.topics)."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="model")
    state = models.BinaryField()
    trained_at = models.DateTimeField(default=timezone.now)
    n_documents = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Model for {self.topic}"


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    weight = models.FloatField(default=1.0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_follow")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.topic} ×{self.weight:g}"


class Feedback(models.Model):
    class Signal(models.TextChoices):
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Dislike"
        HIDE = "hide", "Hide"
        SAVE = "save", "Save"
        OPEN = "open", "Open"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="feedback"
    )
    signal = models.CharField(max_length=16, choices=Signal.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article", "signal"], name="unique_feedback_signal"
            )
        ]
        indexes = [models.Index(fields=["user", "signal"])]

    # Signals that remove an article (and its story) from the reader's feed.
    DISMISSING = (Signal.DISLIKE, Signal.HIDE)

    def __str__(self) -> str:
        return f"{self.user} {self.signal} {self.article_id}"


class ReadMark(models.Model):
    """An article the reader scrolled past with "mark as read" on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_marks"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="read_marks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_read_mark")
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.article_id}"


class Mute(models.Model):
    """A word or phrase the reader never wants to see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    phrase = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "phrase"], name="unique_mute")
        ]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.phrase!r}"


class TopicVerdict(models.Model):
    """A reader's statement that an article is, or is not, about a topic ("Not
    about Chips"). It overrides the article's stored probability for that reader at
    once, and joins the topic model's training at its next refit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="topic_verdicts",
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="topic_verdicts"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="verdicts")
    on_topic = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article", "topic"], name="unique_topic_verdict"
            )
        ]
        indexes = [models.Index(fields=["topic", "user", "-created_at"])]

    def __str__(self) -> str:
        about = "about" if self.on_topic else "not about"
        return f"{self.user}: {self.article_id} {about} {self.topic_id}"


class PersonalModel(models.Model):
    """A reader's own online model, learned from their feedback."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="personal_model",
    )
    state = models.BinaryField()
    n_updates = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # The model this one replaced, for the later pages of a feed whose first page
    # was ranked by it (feed.services.personalisation.model_for).
    previous_state = models.BinaryField(null=True, blank=True)
    previous_updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Personal model of {self.user}"


class DigestLog(models.Model):
    """One digest per reader and local date: the row is claimed before sending."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing new to send"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    local_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.CLAIMED
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    article_count = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # The articles the digest listed: later digests leave out their stories, even
    # when another source's copy of one arrives after this digest.
    article_ids = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "local_date"], name="one_digest_per_day"
            )
        ]
        ordering = ["-local_date"]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.local_date} ({self.status})"
