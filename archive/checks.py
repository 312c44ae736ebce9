"""Chancery's own deployment checks (`python manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The cached counts must be shared by every process that serves pages (archive.stats)."""
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
        return []
    return [
        Warning(
            "The cache is each process's own memory: with several server processes, one would "
            "go on counting an article that another has withdrawn, for up to ten minutes.",
            hint="Set CACHE_URL to a Redis server shared by every process, e.g. redis://127.0.0.1:6379/0.",
            id="archive.W001",
        )
    ]
