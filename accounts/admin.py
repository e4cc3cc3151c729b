from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, User


@admin.register(User)
class TidingsUserAdmin(UserAdmin):
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Digest",
            {
                "fields": [
                    "timezone",
                    "digest_enabled",
                    "digest_hour",
                    "digest_frequency",
                    "digest_max_items",
                    "onboarded",
                ]
            },
        ),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["key_hash"]
    raw_id_fields = ["user"]
