"""Production settings: with DEBUG off the site refuses to start without a secret, passes
Django's deployment checks, and every response carries the security headers a browser
needs; static files are hashed and cached for good; /healthz tells a monitor the truth.

Settings are read once per process, so what depends on DEBUG being off at import time is
checked in a subprocess with a production environment; the headers are checked in this
process with the same production values applied.
"""

import base64
import gc
import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import django
import pytest
from django.core.management import call_command
from django.db import OperationalError

from tests.conftest import parse_page

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PAGES = [
    "/",
    "/articles/",
    "/articles/?q=kuril&exact=1",
    "/articles/?actor=japan&from=2016",
    "/actors/",
    "/territories/",
    "/sources/",
    "/search/help/",
    "/no-such-page/",
]


# Not carried into the production environment: the test run's own settings, and the
# async-safety switch that browser tests set in this process (a deployment check refuses it).
_NOT_INHERITED = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _production_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    env.update(
        DEBUG="False",
        SECRET_KEY="production-test-" + "k3y" * 20,
        ALLOWED_HOSTS="chancery.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:///unused-by-these-checks.sqlite3"),
        CACHE_URL="redis://127.0.0.1:6379/0",  # read by the checks, never connected to
    )
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def _run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _production_settings():
    names = [
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "STORAGES",
        "WHITENOISE_MAX_AGE",
    ]
    code = f"import json, archive.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    result = _run(["-c", code], _production_env())
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_deployment_checks_pass_with_production_variables():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checks_ask_for_a_cache_shared_by_every_process():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env(CACHE_URL=None))
    assert result.returncode != 0
    assert "archive.W001" in result.stderr and "CACHE_URL" in result.stderr


def test_the_cache_must_be_a_redis_url():
    result = _run(["manage.py", "check"], _production_env(CACHE_URL="memcached://127.0.0.1:11211"))
    assert result.returncode != 0
    assert "CACHE_URL must be a Redis URL" in result.stderr


def test_a_secret_key_is_required_when_debug_is_off():
    result = _run(["manage.py", "check"], _production_env(SECRET_KEY=None))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_cookies_are_secure_http_only_and_same_site_in_production():
    values = _production_settings()
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["WHITENOISE_MAX_AGE"] == 3600


@pytest.fixture
def production(settings):
    """This process's settings as they are in production, before the client's first request
    builds the middleware (which reads them once)."""
    settings.DEBUG = False
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def _assert_security_headers(response, *, csp=True):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    if csp:
        assert response["X-Frame-Options"] == "DENY"
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("path", ["/", "/articles/", "/articles/?format=json", "/healthz", "/admin/login/"])
def test_pages_and_the_admin_carry_the_security_headers(client, production, seed_archive, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)


def test_plain_http_is_sent_to_https_in_production(client, production, db):
    response = client.get("/articles/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/articles/"


def test_the_admin_pages_an_editor_sees_carry_the_policy(admin_client, production, seed_archive):
    for path in ["/admin/", "/admin/archive/article/", "/admin/archive/article/add/", "/admin/auth/group/"]:
        response = admin_client.get(path, secure=True)
        assert response.status_code == 200, path
        _assert_security_headers(response)


def test_the_policy_allows_the_one_inline_style_of_the_admin_by_its_hash(client, db):
    # Django's change list has one inline <style> (for models without actions); the policy
    # names its hash, and this fails when a Django upgrade changes the block.
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    blocks = re.findall(r"<style>(.*?)</style>", template.read_text(), re.S)
    assert len(blocks) == 1
    digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in client.get("/admin/login/")["Content-Security-Policy"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_html_has_no_inline_script_or_style(client, seed_archive, path):
    # The policy forbids inline code, so a page that had some would break in browsers.
    response = client.get(path)
    assert "Content-Security-Policy" in response
    page = parse_page(response)
    for script in page.find_all("script"):
        assert script.attrs.get("src"), f"inline script on {path}"
    assert not list(page.find_all("style")), f"<style> on {path}"

    def walk(element):
        yield element
        for child in element.children:
            if not isinstance(child, str):
                yield from walk(child)

    for element in walk(page):
        assert "style" not in element.attrs, f"style= on <{element.tag}> on {path}"
        assert not any(name.startswith("on") for name in element.attrs), f"event handler on {path}"


def test_the_article_pages_have_no_inline_script_or_style_either(client, seed_archive):
    slugs = [a["slug"] for a in client.get("/articles/?format=json").json()["results"]]
    assert slugs
    for slug in slugs:
        content = client.get(f"/articles/{slug}/?q=kuril").content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son\w+=", content), slug


def test_hashed_static_files_are_cached_for_a_year_or_more(client, production, tmp_path):
    production.STATIC_ROOT = tmp_path
    production.STORAGES = {
        **production.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    production.WHITENOISE_MAX_AGE = 3600
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/chancery.css"]
    assert hashed != "css/chancery.css"

    response = client.get(f"/static/{hashed}", secure=True)
    assert response.status_code == 200
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))
    assert max_age >= 31_536_000
    assert "immutable" in response["Cache-Control"]
    _assert_security_headers(response, csp=False)

    plain = client.get("/static/css/chancery.css", secure=True)
    assert plain.status_code == 200
    assert "max-age=3600" in plain["Cache-Control"]


# --- The server process ---------------------------------------------------------------------


def test_the_server_process_keeps_its_startup_objects_out_of_full_collections():
    from archive import views
    from archive.startup import freeze_startup

    gc.unfreeze()
    try:
        freeze_startup()
        # Django's modules, and the views the URLconf imports, are among the frozen.
        assert gc.get_freeze_count() > 10_000
        assert all(obj is not views.ArticleListView for obj in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
    # The server's entry point does it as it starts.
    started = subprocess.run(
        [sys.executable, "-c", "import gc, archive.wsgi; print(gc.get_freeze_count())"],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(started.stdout) > 10_000


SLOW_APP = """
import time

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for n in range(4):
        time.sleep(1)
        yield f"part {n}\\n".encode()
"""


def test_a_response_longer_than_the_server_timeout_arrives_whole(tmp_path):
    # With the project's gunicorn settings (gunicorn.conf.py, read from where gunicorn
    # starts), a response streamed for longer than the worker timeout, as a large export
    # is, is not cut off: a sync worker would be killed in the middle of it.
    (tmp_path / "slow_app.py").write_text(SLOW_APP)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "slow_app:app", "--pythonpath", str(tmp_path)]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            # HTTP/1.1, asking nothing of the connection: a server may keep it open.
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                client.request("GET", "/")
                response = client.getresponse()
                body, connection = response.read(), response.getheader("Connection")
                break
            except ConnectionError:  # not listening yet
                time.sleep(0.1)
            finally:
                client.close()
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert body == b"part 0\npart 1\npart 2\npart 3\n"
    # And the connection is closed after it, never left idle to be closed under a client
    # that is sending its next request (gunicorn.conf.py, keepalive).
    assert connection == "close"


# --- /healthz ------------------------------------------------------------------------------


def test_healthz_says_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_a_503_with_the_reason_when_the_database_does_not(client, db):
    failing = mock.MagicMock()
    failing.__enter__.return_value.execute.side_effect = OperationalError("could not connect to server")
    with mock.patch("archive.health.connection.cursor", return_value=failing):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "could not connect to server"}
    assert "no-store" in response["Cache-Control"]
