"""The admin door: wrong passwords lock a user name out from the address they came from
(django-axes), for a while, with a page that says so; nobody else is locked out with them.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)


def _login(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def _fail(client, times, username="editor", address=HOME):
    for _ in range(times):
        response = _login(client, username, "wrong password", address)
        assert response.status_code in (200, 429)
    return response


def test_a_few_wrong_passwords_are_only_a_form_error(client, editor):
    response = _fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert b"Please enter the correct username and password" in response.content
    assert _login(client, "editor", PASSWORD, HOME).status_code == 302


def test_too_many_wrong_passwords_lock_the_user_out_from_that_address(client, editor):
    response = _fail(client, settings.AXES_FAILURE_LIMIT)
    assert response.status_code == 429
    # Even the right password no longer opens the door from there.
    response = _login(client, "editor", PASSWORD, HOME)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert b"Chancery editors" in response.content  # in the admin's style
    assert "_auth_user_id" not in client.session


def test_the_same_user_from_another_address_is_not_locked_out(client, editor):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    response = _login(client, "editor", PASSWORD, ELSEWHERE)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_another_user_from_the_same_address_is_not_locked_out(client, editor):
    get_user_model().objects.create_user("colleague", password=PASSWORD, is_staff=True)
    _fail(client, settings.AXES_FAILURE_LIMIT)
    assert _login(client, "colleague", PASSWORD, HOME).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, editor):
    _fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "editor", PASSWORD, HOME).status_code == 302
    client.logout()
    _fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert _login(client, "editor", PASSWORD, HOME).status_code == 302


def test_the_lockout_lifts_after_the_cool_off(client, editor):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    assert _login(client, "editor", PASSWORD, HOME).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - datetime.timedelta(hours=2)
    )
    assert _login(client, "editor", PASSWORD, HOME).status_code == 302


def test_force_login_still_works_for_tests(client, editor):
    # Other tests sign in with force_login, which does not go through authenticate().
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("username", ["x" * 256, "ü" * 300, "editor" * 1000])
def test_a_username_of_any_length_is_only_a_form_error_and_still_counts(client, editor, username):
    response = _fail(client, settings.AXES_FAILURE_LIMIT - 1, username=username)
    assert response.status_code == 200
    assert b"Please enter the correct username and password" in response.content
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == username[:255] and attempt.failures_since_start == settings.AXES_FAILURE_LIMIT - 1
    assert _fail(client, 1, username=username).status_code == 429
