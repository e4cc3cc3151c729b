"""Send the digests that are due now (or one reader's digest with --force)."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feed.services import digests


class Command(BaseCommand):
    help = (
        "Send digests that are due now. With --user U --force, send U's digest "
        "regardless of the hour (still at most once per local date)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", metavar="USERNAME")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args, user: str | None, force: bool, **options) -> None:
        now = timezone.now()
        User = get_user_model()
        if force and not user:
            raise CommandError("--force needs --user USERNAME.")
        if user:
            try:
                reader = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
            if not force and not digests.is_due(reader, now=now):
                self.stdout.write(f"{user}: not due now (use --force to send anyway)")
                return
            # Forced: today's digest (local date); due: the digest hour's date.
            day = (digests.local_date_for if force else digests.digest_date)(
                reader, now=now
            )
            targets = [(reader, day)]
        else:
            due = digests.due_digests(now=now)
            readers = User.objects.in_bulk([user_id for user_id, _ in due])
            targets = [(readers[user_id], day) for user_id, day in due]
        failed = 0
        for reader, day in targets:
            try:
                result = digests.send_digest(reader, local_date=day, now=now)
            except Exception as error:  # noqa: BLE001 - one reader never stops the rest
                failed += 1
                self.stderr.write(f"{reader.username}: failed: {error}")
                continue
            self.stdout.write(f"{reader.username} {day}: {result.status} "
                              f"({result.article_count} articles)")  # fmt: skip
        if failed:
            sys.exit(1)
