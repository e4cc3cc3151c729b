from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("settings/reading/", views.reading_settings, name="reading"),
    path("settings/tokens/", views.token_create, name="token-create"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token-revoke",
    ),
    path("settings/export.json", views.export_json, name="export-json"),
    path("settings/export.opml", views.export_opml, name="export-opml"),
    path("settings/delete/", views.delete_account, name="delete"),
]
