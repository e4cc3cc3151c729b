from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from feed.models import Mute, TopicVerdict
        from feed.services import reading, verdicts

        # However a mute changes (page, admin, account deletion), the cached list
        # the feed reads is dropped.
        for signal in (post_save, post_delete):
            signal.connect(reading.forget_mutes, sender=Mute, dispatch_uid="mutes")
            signal.connect(
                verdicts.forget, sender=TopicVerdict, dispatch_uid="verdicts"
            )
