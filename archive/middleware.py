"""Request checks that no single view can make for the views it does not own."""

from django.urls import reverse

from archive.views import bad_request


class AdminNulMiddleware:
    """A 400 for an admin address whose parameters hold a NUL character.

    PostgreSQL refuses NUL in text, and the admin passes its list filters' values and its
    autocomplete's term to the database as they come: `?status__exact=%00` was a 500
    there (SQLite takes NUL, and matches nothing). The public pages' forms refuse NUL
    themselves, each with its own message; the admin's search box does too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and _has_nul(request.GET):
            return bad_request(request, "The address holds a NUL character (%00), which no value may contain.")
        return self.get_response(request)


def _has_nul(params) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in params.lists())
