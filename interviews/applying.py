"""The vacancies' public links, where candidates hand in their answers themselves.

A vacancy's link is ``/apply/<token>/``: the token is the only secret, random and long
enough that links cannot be guessed or counted through. HR turns a link on, replaces it
(the old link then leads nowhere, for a link that went where it should not) and turns it
off; a closing date, the vacancy being closed, or the link being off all make the page
say it is closed.
"""

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Vacancy

# 32 random bytes: 43 URL-safe characters, beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def turn_on(vacancies) -> int:
    """Give each vacancy without a link one; a link already on is kept. Returns how many
    got a new link."""
    count = 0
    for vacancy in vacancies.filter(apply_token=""):
        vacancy.apply_token = new_token()
        vacancy.save(update_fields=["apply_token"])
        count += 1
    return count


def rotate(vacancies) -> int:
    """Replace the link of each vacancy that has one: the old one stops working."""
    count = 0
    for vacancy in vacancies.exclude(apply_token=""):
        vacancy.apply_token = new_token()
        vacancy.save(update_fields=["apply_token"])
        count += 1
    return count


def turn_off(vacancies) -> int:
    return vacancies.exclude(apply_token="").update(apply_token="")


def find(token: str) -> Vacancy | None:
    """The vacancy a link leads to, open or closed; None for a token no vacancy has."""
    if not token:
        return None
    return Vacancy.objects.select_related("questionnaire").filter(apply_token=token).first()


def is_open(vacancy: Vacancy, now=None) -> bool:
    """Whether the vacancy's link takes answers now."""
    if not vacancy.apply_token or not vacancy.is_open:
        return False
    closes_at = vacancy.apply_closes_at
    return closes_at is None or (now or timezone.now()) < closes_at


def link(vacancy: Vacancy) -> str:
    """The link's full address, as it goes to candidates; empty while it is off."""
    if not vacancy.apply_token:
        return ""
    path = reverse("apply", args=[vacancy.apply_token])
    return settings.ZVONOK_BASE_URL.rstrip("/") + path


def questions(vacancy: Vacancy):
    """The questions the vacancy's questionnaire asks, in order; none without one."""
    if vacancy.questionnaire_id is None:
        return []
    return list(vacancy.questionnaire.questions.order_by("position", "id"))
