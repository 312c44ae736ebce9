"""Values every page's template may use."""

from django.core.exceptions import DisallowedHost


def page_url(request):
    """The page's absolute address, for its og:url. None when the request's Host is not
    one the site answers to: the 400 page that answers such a request is rendered with it,
    and asking it for its address would raise again, a server error."""
    try:
        return {"page_url": request.build_absolute_uri()}
    except DisallowedHost:
        return {"page_url": None}
