"""The admin site: Zvonok's name on it, and its home page and sidebar in the order of
the work rather than Django's alphabetical list of apps.

Outside ``interviews.admin`` on purpose: Django builds ``admin.site`` from this class the
first time anything touches it, which is while the admin modules are being imported to
register their ModelAdmins; a class inside that package would be imported halfway
through, and the site built twice.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class Section:
    """A heading of the home page and the sidebar, with the models it lists in order."""

    def __init__(self, key, name, models=(), tools=()):
        self.key, self.name, self.models, self.tools = key, name, list(models), list(tools)


class Tool:
    """A page of its own (a report, a search) listed among the models; ``allowed`` names
    the method of the model's ModelAdmin that the page itself asks."""

    def __init__(self, key, name, model, url_name, allowed):
        self.key, self.name, self.model, self.url_name = key, name, model, url_name
        self.allowed = allowed


# Hiring first: what HR staff and interviewers open every day. A registered model not
# named here (a newly added one, a third-party app's) goes to the service tables, so that
# nothing registered is ever out of reach.
SECTIONS = [
    Section(
        "hiring",
        _("Hiring"),
        [
            "interviews.application",
            "interviews.candidate",
            "interviews.interview",
            "interviews.vacancy",
            "interviews.scorecard",
            "interviews.message",
        ],
    ),
    Section(
        "questionnaires",
        _("Questionnaires and answers"),
        [
            "interviews.questionnaire",
            "interviews.question",
            "interviews.submission",
            "interviews.answer",
            "interviews.uploadjob",
            "interviews.knownsource",
        ],
    ),
    Section(
        "tools",
        _("Reports and tools"),
        tools=[
            Tool(
                "funnel",
                _("Hiring funnel"),
                "interviews.application",
                "admin:interviews_application_funnel",
                "has_funnel_permission",
            ),
            Tool(
                "find",
                _("Find answers"),
                "interviews.answer",
                "admin:interviews_answer_find",
                "has_view_permission",
            ),
            Tool(
                "copied",
                _("Copied answers"),
                "interviews.answer",
                "admin:interviews_answer_copied",
                "has_copied_report_permission",
            ),
            Tool(
                "import",
                _("Import answers"),
                "interviews.submission",
                "admin:interviews_submission_import",
                "has_import_permission",
            ),
        ],
    ),
    Section(
        "settings",
        _("Settings"),
        [
            "interviews.stage",
            "interviews.rejectionreason",
            "interviews.messagetemplate",
            "auth.user",
            "auth.group",
        ],
    ),
    Section("service", _("Service tables"), ["interviews.stagechange", "interviews.answerscore"]),
]
REST = "service"


def _label(model):
    return model._meta.label_lower


class ZvonokAdminSite(admin.AdminSite):
    site_header = "Zvonok"
    site_title = _("Zvonok: interview tracking")
    index_title = _("Home page")
    # The admin is the whole site: Django's "View site" would lead back to this page.
    site_url = None

    def get_app_list(self, request, app_label=None):
        """The sections of ``SECTIONS``, each with the models the user may open; one app's
        page (``app_label``) keeps Django's single app, its models in the same order."""
        app_dict = self._build_app_dict(request, app_label)
        rows = {_label(row["model"]): row for app in app_dict.values() for row in app["models"]}
        order = [label for section in SECTIONS for label in section.models]
        rank = {label: position for position, label in enumerate(order)}
        if app_label is not None:
            for app in app_dict.values():
                app["models"].sort(
                    key=lambda row: (rank.get(_label(row["model"]), len(rank)), row["name"])
                )
            return list(app_dict.values())

        sections = []
        for section in SECTIONS:
            models = [rows.pop(label) for label in section.models if label in rows]
            models += self._tools(request, section)
            if section.key == REST:
                models += sorted(rows.values(), key=lambda row: row["name"])
            if models:
                sections.append(
                    {
                        "name": capfirst(section.name),
                        "app_label": section.key,
                        "app_url": None,
                        "has_module_perms": True,
                        "models": models,
                    }
                )
        return sections

    def _tools(self, request, section):
        rows = []
        for tool in section.tools:
            model = next((m for m in self._registry if _label(m) == tool.model), None)
            if model is None or not getattr(self._registry[model], tool.allowed)(request):
                continue
            rows.append(
                {
                    "model": None,
                    "name": capfirst(tool.name),
                    "object_name": tool.key,
                    "perms": {},
                    "admin_url": reverse(tool.url_name, current_app=self.name),
                    "add_url": None,
                    "tool": True,
                }
            )
        return rows
