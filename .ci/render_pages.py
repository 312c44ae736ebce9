"""Serve the seed archive with gunicorn and DEBUG off, and fetch one page of every type.

Catches what the test client cannot: a template that needs DEBUG, a static file missing
from the manifest, a page that only breaks behind a real WSGI server.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from archive.models import Actor, Article, Source, Territory  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace"), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), error.headers


def main():
    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", "seed_archive", verbosity=0)
    article = Article.objects.published().first()
    pages = {
        "/": 200,
        "/articles/": 200,
        "/articles/?actor=shinzo-abe&from=2015&to=2018-12&sort=oldest": 200,
        "/articles/?from=2015-13-45": 200,
        "/articles/?format=json": 200,
        f"/articles/{article.slug}/": 200,
        "/actors/": 200,
        f"/actors/{Actor.objects.first().slug}/": 200,
        "/territories/": 200,
        f"/territories/{Territory.objects.get(slug='northern-territories').slug}/": 200,
        "/sources/": 200,
        f"/sources/{Source.objects.first().slug}/": 200,
        "/sitemap.xml": 200,
        "/robots.txt": 200,
        "/admin/login/": 200,
        "/articles/no-such-article/": 404,
        "/articles/?page=999": 404,
        "/articles/?format=xml": 400,
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "archive.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
    )
    failures = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        for path, expected in pages.items():
            status, body, _ = fetch(base, path)
            ok = status == expected and ("Chancery" in body or path.endswith((".xml", ".txt")) or "json" in path)
            print(f"{status} {path}")
            if not ok:
                failures.append(f"{path}: got {status}, expected {expected}")
        status, home, _ = fetch(base, "/")
        stylesheet = home.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        status, _, headers = fetch(base, stylesheet)
        print(f"{status} {stylesheet} (Cache-Control: {headers.get('Cache-Control')})")
        if status != 200 or "max-age" not in (headers.get("Cache-Control") or ""):
            failures.append(f"{stylesheet}: not served as a cached, hashed static file")
    finally:
        server.terminate()
        server.wait(timeout=20)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"All {len(pages) + 1} responses as expected on {django.db.connection.vendor}.")


if __name__ == "__main__":
    main()
