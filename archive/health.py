"""/healthz: for a load balancer or an uptime monitor, is this process able to serve?"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 {"status": "ok", "database": "ok"} when `SELECT 1` works; 503 with the
    database's reason when it does not. Never cached, so a stale answer cannot hide an
    outage."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return JsonResponse({"status": "error", "database": reason}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
