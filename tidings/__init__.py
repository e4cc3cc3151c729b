"""Tidings: a personalised news feed (Django project package)."""

from tidings.celery import app as celery_app

__all__ = ["celery_app"]
