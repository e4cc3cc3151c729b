"""The glue between models and the Django-free cores (feed.ingest, feed.ranking).

Views, API, tasks and management commands call these functions; these functions
never import views, tasks or commands.
"""
