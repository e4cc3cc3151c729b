from django.urls import path

from feed import api, source_views, views

app_name = "feed"

urlpatterns = [
    path("", views.home, name="home"),
    path("recent/", views.recent, name="recent"),
    path("saved/", views.saved, name="saved"),
    path("search/", views.search, name="search"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("topics/", views.topic_list, name="topics"),
    path("topics/new/", views.topic_create, name="topic-create"),
    path("topics/<slug:slug>/follow/", views.topic_follow, name="topic-follow"),
    path("topics/<slug:slug>/weight/", views.topic_weight, name="topic-weight"),
    path("topics/<slug:slug>/edit/", views.topic_edit, name="topic-edit"),
    path("topics/<slug:slug>/delete/", views.topic_delete, name="topic-delete"),
    path("mutes/", views.mute_add, name="mute-add"),
    path("mutes/<int:mute_id>/delete/", views.mute_delete, name="mute-delete"),
    path("articles/<int:article_id>/feedback/", views.feedback, name="feedback"),
    path("articles/read/", views.mark_read, name="mark-read"),
    path(
        "articles/<int:article_id>/topics/",
        views.topic_verdict,
        name="topic-verdict",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("sources/", source_views.source_list, name="sources"),
    path("sources/add/", source_views.source_add, name="source-add"),
    path("sources/import/", source_views.opml_import, name="opml-import"),
    path("sources/export.opml", source_views.opml_export, name="opml-export"),
    path(
        "sources/<int:source_id>/remove/",
        source_views.source_remove,
        name="source-remove",
    ),
    path(
        "sources/<int:source_id>/enable/",
        source_views.source_enable,
        name="source-enable",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/auth/token", api.token, name="api-token"),
    path("api/v1/topics", api.topic_list, name="api-topics"),
    # <str:…>, not <slug:…>: any other slug is a JSON 404 from the view, not HTML.
    path("api/v1/topics/<str:slug>/follow", api.topic_follow, name="api-topic-follow"),
    path("api/v1/feed", api.feed, name="api-feed"),
    path(
        "api/v1/articles/<int:article_id>/feedback",
        api.article_feedback,
        name="api-feedback",
    ),
    path(
        "api/v1/articles/<int:article_id>/topics/<str:slug>",
        api.article_topic,
        name="api-article-topic",
    ),
]
