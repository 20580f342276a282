"""Model names in the grammatical forms the admin's sentences need.

Django's admin puts a model's ``verbose_name`` (a nominative) into every sentence: "Add %s",
"Select %s to change", "3 %s". English reads right; Russian needs the accusative after a
verb ("Добавить заявку", "Выберите кандидата"), three plural forms after a number
("1 заявка, 2 заявки, 5 заявок") and agreement in "add another" ("Добавить ещё одну
заявку"). Each model in the admin, ours and the third-party apps', declares those forms
here, once, as entries of the translation catalogue: the English msgid is the form English
uses, the Russian msgstr the right case. ``interviews.admin.cases`` puts them into the
admin's titles, buttons, breadcrumbs, counts and messages.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_noop, npgettext_lazy, pgettext_lazy


@dataclass(frozen=True)
class Noun:
    # After a verb: "Выберите %s для изменения", "Добавить %s", "Удалить %s «…»".
    accusative: Promise
    # "Delete the selected %s", with the participle agreeing in Russian: "выбранные
    # заявки", but "выбранных кандидатов" (animate nouns take the genitive).
    selected: Promise
    # "%(count)d …" in the language's plural forms; takes ``count`` from the mapping.
    counted: Promise
    # The inline's "Add another …" link, whole: the Russian "ещё один" agrees in gender.
    add_another: Promise

    def count(self, number: int) -> str:
        return self.counted % {"count": number}


def _noun(accusative, selected, counted, add_another):
    return Noun(accusative, selected, counted, add_another)


NOUNS: dict[str, Noun] = {
    "interviews.questionnaire": _noun(
        pgettext_lazy("accusative", "questionnaire"),
        pgettext_lazy("selected", "questionnaires"),
        npgettext_lazy("count", "%(count)d questionnaire", "%(count)d questionnaires", "count"),
        pgettext_lazy("inline", "Add another questionnaire"),
    ),
    "interviews.question": _noun(
        pgettext_lazy("accusative", "question"),
        pgettext_lazy("selected", "questions"),
        npgettext_lazy("count", "%(count)d question", "%(count)d questions", "count"),
        pgettext_lazy("inline", "Add another question"),
    ),
    "interviews.vacancy": _noun(
        pgettext_lazy("accusative", "vacancy"),
        pgettext_lazy("selected", "vacancies"),
        npgettext_lazy("count", "%(count)d vacancy", "%(count)d vacancies", "count"),
        pgettext_lazy("inline", "Add another vacancy"),
    ),
    "interviews.candidate": _noun(
        pgettext_lazy("accusative", "candidate"),
        pgettext_lazy("selected", "candidates"),
        npgettext_lazy("count", "%(count)d candidate", "%(count)d candidates", "count"),
        pgettext_lazy("inline", "Add another candidate"),
    ),
    "interviews.application": _noun(
        pgettext_lazy("accusative", "application"),
        pgettext_lazy("selected", "applications"),
        npgettext_lazy("count", "%(count)d application", "%(count)d applications", "count"),
        pgettext_lazy("inline", "Add another application"),
    ),
    "interviews.submission": _noun(
        pgettext_lazy("accusative", "submission"),
        pgettext_lazy("selected", "submissions"),
        npgettext_lazy("count", "%(count)d submission", "%(count)d submissions", "count"),
        pgettext_lazy("inline", "Add another submission"),
    ),
    "interviews.applyrequest": _noun(
        pgettext_lazy("accusative", "sheet handed in"),
        pgettext_lazy("selected", "sheets handed in"),
        npgettext_lazy("count", "%(count)d sheet handed in", "%(count)d sheets handed in", "count"),
        pgettext_lazy("inline", "Add another sheet handed in"),
    ),
    "interviews.messagetemplate": _noun(
        pgettext_lazy("accusative", "message template"),
        pgettext_lazy("selected", "message templates"),
        npgettext_lazy(
            "count", "%(count)d message template", "%(count)d message templates", "count"
        ),
        pgettext_lazy("inline", "Add another message template"),
    ),
    "interviews.message": _noun(
        pgettext_lazy("accusative", "message"),
        pgettext_lazy("selected", "messages"),
        npgettext_lazy("count", "%(count)d message", "%(count)d messages", "count"),
        pgettext_lazy("inline", "Add another message"),
    ),
    "interviews.answer": _noun(
        pgettext_lazy("accusative", "answer"),
        pgettext_lazy("selected", "answers"),
        npgettext_lazy("count", "%(count)d answer", "%(count)d answers", "count"),
        pgettext_lazy("inline", "Add another answer"),
    ),
    "interviews.stage": _noun(
        pgettext_lazy("accusative", "stage"),
        pgettext_lazy("selected", "stages"),
        npgettext_lazy("count", "%(count)d stage", "%(count)d stages", "count"),
        pgettext_lazy("inline", "Add another stage"),
    ),
    "interviews.stagechange": _noun(
        pgettext_lazy("accusative", "stage change"),
        pgettext_lazy("selected", "stage changes"),
        npgettext_lazy("count", "%(count)d stage change", "%(count)d stage changes", "count"),
        pgettext_lazy("inline", "Add another stage change"),
    ),
    "interviews.interview": _noun(
        pgettext_lazy("accusative", "interview"),
        pgettext_lazy("selected", "interviews"),
        npgettext_lazy("count", "%(count)d interview", "%(count)d interviews", "count"),
        pgettext_lazy("inline", "Add another interview"),
    ),
    "interviews.scorecard": _noun(
        pgettext_lazy("accusative", "scorecard"),
        pgettext_lazy("selected", "scorecards"),
        npgettext_lazy("count", "%(count)d scorecard", "%(count)d scorecards", "count"),
        pgettext_lazy("inline", "Add another scorecard"),
    ),
    "interviews.answerscore": _noun(
        pgettext_lazy("accusative", "answer score"),
        pgettext_lazy("selected", "answer scores"),
        npgettext_lazy("count", "%(count)d answer score", "%(count)d answer scores", "count"),
        pgettext_lazy("inline", "Add another answer score"),
    ),
    "interviews.feedbackreminder": _noun(
        pgettext_lazy("accusative", "feedback reminder"),
        pgettext_lazy("selected", "feedback reminders"),
        npgettext_lazy(
            "count", "%(count)d feedback reminder", "%(count)d feedback reminders", "count"
        ),
        pgettext_lazy("inline", "Add another feedback reminder"),
    ),
    "interviews.skillclaim": _noun(
        pgettext_lazy("accusative", "skill claim"),
        pgettext_lazy("selected", "skill claims"),
        npgettext_lazy("count", "%(count)d skill claim", "%(count)d skill claims", "count"),
        pgettext_lazy("inline", "Add another skill claim"),
    ),
    "interviews.dataprotectionevent": _noun(
        pgettext_lazy("accusative", "data protection event"),
        pgettext_lazy("selected", "data protection events"),
        npgettext_lazy(
            "count", "%(count)d data protection event", "%(count)d data protection events", "count"
        ),
        pgettext_lazy("inline", "Add another data protection event"),
    ),
    "interviews.knownsource": _noun(
        pgettext_lazy("accusative", "known source"),
        pgettext_lazy("selected", "known sources"),
        npgettext_lazy("count", "%(count)d known source", "%(count)d known sources", "count"),
        pgettext_lazy("inline", "Add another known source"),
    ),
    "interviews.sourceanswer": _noun(
        pgettext_lazy("accusative", "source answer"),
        pgettext_lazy("selected", "source answers"),
        npgettext_lazy("count", "%(count)d source answer", "%(count)d source answers", "count"),
        pgettext_lazy("inline", "Add another source answer"),
    ),
    "interviews.answerband": _noun(
        pgettext_lazy("accusative", "LSH band hash"),
        pgettext_lazy("selected", "LSH band hashes"),
        npgettext_lazy("count", "%(count)d LSH band hash", "%(count)d LSH band hashes", "count"),
        pgettext_lazy("inline", "Add another LSH band hash"),
    ),
    "interviews.answermatch": _noun(
        pgettext_lazy("accusative", "answer match"),
        pgettext_lazy("selected", "answer matches"),
        npgettext_lazy("count", "%(count)d answer match", "%(count)d answer matches", "count"),
        pgettext_lazy("inline", "Add another answer match"),
    ),
    # Third-party models shown in the admin: user accounts, groups, login security.
    "auth.user": _noun(
        pgettext_lazy("accusative", "user"),
        pgettext_lazy("selected", "users"),
        npgettext_lazy("count", "%(count)d user", "%(count)d users", "count"),
        pgettext_lazy("inline", "Add another user"),
    ),
    "auth.group": _noun(
        pgettext_lazy("accusative", "group"),
        pgettext_lazy("selected", "groups"),
        npgettext_lazy("count", "%(count)d group", "%(count)d groups", "count"),
        pgettext_lazy("inline", "Add another group"),
    ),
    "axes.accessattempt": _noun(
        pgettext_lazy("accusative", "access attempt"),
        pgettext_lazy("selected", "access attempts"),
        npgettext_lazy("count", "%(count)d access attempt", "%(count)d access attempts", "count"),
        pgettext_lazy("inline", "Add another access attempt"),
    ),
    "axes.accesslog": _noun(
        pgettext_lazy("accusative", "access log"),
        pgettext_lazy("selected", "access logs"),
        npgettext_lazy("count", "%(count)d access log", "%(count)d access logs", "count"),
        pgettext_lazy("inline", "Add another access log"),
    ),
    "axes.accessfailurelog": _noun(
        pgettext_lazy("accusative", "access failure"),
        pgettext_lazy("selected", "access failures"),
        npgettext_lazy("count", "%(count)d access failure", "%(count)d access failures", "count"),
        pgettext_lazy("inline", "Add another access failure"),
    ),
}


def noun(model) -> Noun | None:
    """The declared forms of ``model`` (a class or an instance), None if it has none."""
    return NOUNS.get(model._meta.label_lower)


# django-axes's Russian names for its models ("Запись о попытке доступа" beside "Попытки
# доступа", capitalised), translated again to match the forms above.
AXES_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
)

# Sentences of Django's admin whose Russian, as Django ships it, needs a case or a gender
# the model name does not have: translated again in this project's catalogue (which comes
# first), to take the forms above or to put the name where the nominative reads right
# ("Добавлено: заявка «…»"). Listed here so that ``makemessages`` keeps them.
DJANGO_SENTENCES = (
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, "
        "but your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related "
        "objects, but your account doesn't have permission to delete the following types of "
        "objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the "
        "following protected related objects:"
    ),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("0 of %(cnt)s selected"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
)
