"""Signing in to the admin: what the lockout (django-axes) records of an attempt."""

from django.conf import settings

# The lockout's records keep a username in a column of this many characters.
USERNAME_LENGTH = 255


def attempted_username(request, credentials):
    """The username an attempt is recorded under: as typed, cut to fit its column.

    Anyone may type a username of any length on the sign-in page, and PostgreSQL refused
    to record a failure for one longer than the column (a server error instead of "wrong
    username or password"). Cut, it still counts against the same name each time."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    if not isinstance(username, str):
        return username
    return username.replace("\x00", "")[:USERNAME_LENGTH]
