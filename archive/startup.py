"""What a long-running process does once it has loaded the application."""

import gc

from django.urls import get_resolver


def freeze_startup():
    """Keep what the process loaded at startup out of the garbage collector's full passes.

    Django, the apps and their modules (some 110,000 objects) live as long as the
    process, yet each full pass walks all of them: 20 to 50 ms, every few dozen requests,
    in the middle of one. Frozen, they are skipped; what requests create is collected as
    before. The URLconf, and the views with it, are loaded first, as the first request
    would load them.
    """
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
    gc.freeze()
