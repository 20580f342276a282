"""The admin site's frame: the home page and sidebar in the order of the work, its name,
the language switch and the icon."""

import re

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import translation

from interviews import roles
from interviews.admin_site import SECTIONS
from tests.factories import member

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def sections(app_list):
    """[(section key, [model or tool key, ...]), ...] as the page lists them."""
    return [
        (app["app_label"], [row["object_name"].lower() for row in app["models"]])
        for app in app_list
    ]


def test_home_page_lists_hiring_first_and_service_tables_last(admin_client):
    listed = sections(admin_client.get(INDEX).context["app_list"])

    assert [key for key, _rows in listed] == [
        "hiring",
        "questionnaires",
        "tools",
        "settings",
        "service",
    ]
    hiring, tools, service = listed[0][1], listed[2][1], listed[-1][1]
    assert hiring[:4] == ["application", "candidate", "interview", "vacancy"]
    assert tools == ["funnel", "find", "copied", "import"]
    assert service[:2] == ["stagechange", "answerscore"]
    # django-axes' logs come after the app's own service tables.
    assert {"accessattempt", "accesslog", "accessfailurelog"} <= set(service[2:])


def test_every_registered_model_is_listed_once(admin_client):
    listed = [
        row["model"]._meta.label_lower
        for app in admin_client.get(INDEX).context["app_list"]
        for row in app["models"]
        if row["model"] is not None
    ]

    assert sorted(listed) == sorted(model._meta.label_lower for model in admin.site._registry)


def test_sidebar_lists_what_the_home_page_lists(admin_client):
    on_index = sections(admin_client.get(INDEX).context["app_list"])

    response = admin_client.get(reverse("admin:interviews_candidate_changelist"))

    assert sections(response.context["available_apps"]) == on_index
    sidebar = response.content.decode().split('id="nav-sidebar"', 1)[1]
    assert 'class="app-hiring module' in sidebar
    assert reverse("admin:interviews_application_funnel") in sidebar


def test_an_apps_page_keeps_its_own_models_in_the_same_order(admin_client):
    response = admin_client.get(reverse("admin:app_list", args=["interviews"]))

    (app,) = response.context["app_list"]
    rows = [row["object_name"].lower() for row in app["models"]]
    assert rows[:4] == ["application", "candidate", "interview", "vacancy"]
    assert rows[-2:] == ["stagechange", "answerscore"]


@pytest.mark.parametrize("role", roles.ROLES)
def test_a_tool_is_listed_exactly_when_its_page_opens(client, role):
    client.force_login(member(role))
    listed = {
        row["object_name"]: row["admin_url"]
        for app in client.get(INDEX).context["app_list"]
        for row in app["models"]
        if row.get("tool")
    }
    tools = {tool.key: tool.url_name for s in SECTIONS for tool in s.tools}

    opens = {key for key, name in tools.items() if client.get(reverse(name)).status_code == 200}

    assert set(listed) == opens
    assert all(listed[key] == reverse(tools[key]) for key in listed)


def test_interviewer_sees_no_service_tables_and_no_funnel(client):
    client.force_login(member(roles.INTERVIEWER))

    listed = dict(sections(client.get(INDEX).context["app_list"]))

    assert "stagechange" not in listed.get("service", [])
    assert "funnel" not in listed["tools"]


def test_headings_title_and_header_are_russian(admin_client):
    with translation.override("ru"):
        page = admin_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    headings = re.findall(r'<span class="section">([^<]+)</span>', page)
    assert headings[:5] == [
        "Подбор",
        "Анкеты и ответы",
        "Отчёты и инструменты",
        "Настройки",
        "Служебные таблицы",
    ]
    assert "<title>Главная | Zvonok: учёт собеседований</title>" in page
    assert '<div id="site-name"><a href="/admin/">Zvonok</a></div>' in page
    assert "Django" not in re.sub(r"<(script|link)[^>]*>", "", page)
    assert "AXES" not in page


def test_header_has_no_view_site_link(admin_client):
    page = admin_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    user_tools = page.split('id="user-tools"', 1)[1].split("</header>", 1)[0]
    assert "Открыть сайт" not in user_tools
    assert 'href="/"' not in user_tools


# -- the language switch ---------------------------------------------------------------


def test_language_switch_is_a_labelled_post_form_with_a_csrf_token(admin_client):
    page = admin_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    form = re.search(r'<form class="zvonok-language".*?</form>', page, re.S).group(0)
    assert f'action="{reverse("set_language")}"' in form
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'aria-label="Язык интерфейса"' in form
    assert re.search(r'value="en" lang="en"\s+aria-label="English"', form)
    assert re.search(r'value="ru" lang="ru"\s+aria-label="Русский"', form)
    assert re.search(r'value="ru"[^>]*aria-current="true"', form)


def test_switching_to_english_shows_the_admin_in_english(admin_client):
    changelist = reverse("admin:interviews_candidate_changelist")

    response = admin_client.post(reverse("set_language"), {"language": "en", "next": changelist})

    assert response.status_code == 302
    assert response["Location"] == changelist
    page = admin_client.get(INDEX, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Service tables" in page
    assert "Служебные таблицы" not in page
    assert re.search(r'value="en"[^>]*aria-current="true"', page)


def test_language_switch_refuses_a_post_without_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(reverse("set_language"), {"language": "en", "next": INDEX})

    assert response.status_code == 403
    assert "django_language" not in response.cookies


def test_login_page_offers_the_language_switch(client):
    page = client.get(reverse("admin:login")).content.decode()

    assert 'class="zvonok-language"' in page


# -- the icon --------------------------------------------------------------------------


def test_every_admin_page_links_the_icon_served_from_static_files(client, admin_user):
    link = f'<link rel="icon" href="{static("interviews/favicon.svg")}" type="image/svg+xml">'

    pages = [client.get(reverse("admin:login"))]
    client.force_login(admin_user)
    pages += [client.get(INDEX), client.get(reverse("admin:interviews_application_changelist"))]

    assert all(link in page.content.decode() for page in pages)
    assert finders.find("interviews/favicon.svg")


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == static("interviews/favicon.svg")
