"""WSGI entry point: `gunicorn archive.wsgi`."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

application = get_wsgi_application()

# Imported once Django is set up: the URLconf it loads needs the apps.
from archive.startup import freeze_startup  # noqa: E402

freeze_startup()
