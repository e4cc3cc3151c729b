from django.contrib import admin, messages
from django.db.models import URLField
from django.utils import timezone

from feed import models
from feed.services import ingestion

# Addresses typed without a scheme are https (Django 6's default; saying so here
# keeps Django 5's deprecation warning away).
URL_FIELDS_ASSUME_HTTPS = {URLField: {"assume_scheme": "https"}}


@admin.register(models.Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "owner", "created_at"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]


@admin.register(models.Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "is_default",
        "is_active",
        "last_success_at",
        "last_status",
        "consecutive_failures",
        "next_fetch_at",
    ]
    list_filter = ["is_default", "is_active"]
    search_fields = ["title", "url"]
    readonly_fields = [
        "etag",
        "last_modified",
        "fetch_started_at",
        "last_fetched_at",
        "last_success_at",
        "first_failure_at",
        "last_status",
        "last_error",
        "consecutive_failures",
        "items_per_day",
    ]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    actions = ["re_enable"]

    def save_model(self, request, obj, form, change) -> None:
        """Ticking "is active" on a disabled source re-enables it as the reader's
        button does (ingestion.enable_source): its failures are forgotten, so the
        next one does not disable it again at once."""
        re_enabled = change and "is_active" in form.changed_data and obj.is_active
        if re_enabled:
            obj.is_active = False  # saved as it was; enable_source turns it on
        super().save_model(request, obj, form, change)
        if re_enabled:
            ingestion.enable_source(obj, now=timezone.now())

    @admin.action(description="Re-enable the selected disabled sources")
    def re_enable(self, request, queryset) -> None:
        now = timezone.now()
        enabled = sum(
            ingestion.enable_source(source, now=now)
            for source in queryset.filter(is_active=False)
        )
        noun = "source" if enabled == 1 else "sources"
        self.message_user(
            request,
            f"{enabled} {noun} re-enabled, to be fetched shortly.",
            messages.SUCCESS,
        )


@admin.register(models.Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "source", "created_at"]
    raw_id_fields = ["user", "source"]


@admin.register(models.Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "article_count", "created_at"]


@admin.register(models.Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "story"]
    list_select_related = ["source", "story"]
    search_fields = ["title", "url", "guid"]
    date_hierarchy = "published_at"
    raw_id_fields = ["source", "story"]
    exclude = ["vector"]
    readonly_fields = ["topic_scores", "scored_at"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(models.TopicModel)
class TopicModelAdmin(admin.ModelAdmin):
    list_display = ["topic", "trained_at", "n_documents"]
    exclude = ["state"]


@admin.register(models.Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "weight", "created_at"]
    raw_id_fields = ["user", "topic"]


@admin.register(models.Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["user", "signal", "article", "created_at"]
    list_filter = ["signal"]
    raw_id_fields = ["user", "article"]


@admin.register(models.Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ["user", "phrase", "created_at"]
    raw_id_fields = ["user"]


@admin.register(models.TopicVerdict)
class TopicVerdictAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "topic", "on_topic", "created_at"]
    list_filter = ["on_topic", "topic"]
    raw_id_fields = ["user", "article", "topic"]


@admin.register(models.ReadMark)
class ReadMarkAdmin(admin.ModelAdmin):
    list_display = ["user", "article", "created_at"]
    raw_id_fields = ["user", "article"]


@admin.register(models.PersonalModel)
class PersonalModelAdmin(admin.ModelAdmin):
    list_display = ["user", "n_updates", "updated_at"]
    exclude = ["state"]
    raw_id_fields = ["user"]


@admin.register(models.DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ["user", "local_date", "status", "article_count", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["user"]
