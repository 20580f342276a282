"""Known sources from pasted text: a public "answers to the test" page or file, read by the
sheets parser like any answer sheet, its sections matched to the questionnaire's questions
as an import matches them; each answer found is stored and compared by
``interviews.copying``."""

from django.utils.translation import gettext as _

from . import copying, sheets
from . import messages as import_messages
from .models import KnownSource, Question, Questionnaire

# The limits of an uploaded answer sheet: pasted text is parsed by the same parser.
MAX_BYTES = sheets.MAX_BYTES_DEFAULT


class SourceTextError(ValueError):
    """The pasted text cannot be read as answers to the questionnaire (said in the
    reader's language)."""


def answers_in(text: str, questionnaire: Questionnaire) -> list[tuple[Question, str]]:
    """(question, answer text) for each section of ``text`` that answers a question of
    ``questionnaire``; SourceTextError when there is none, or the text is too large."""
    data = (text or "").encode("utf-8")
    try:
        sheet = sheets.parse_bytes(data, max_bytes=MAX_BYTES)
    except sheets.SheetError as exc:
        raise SourceTextError(import_messages.translate(str(exc))) from exc
    questions = {q.pk: q for q in questionnaire.questions.order_by("position", "id")}
    info = sheets.KnownQuestionnaire(
        questionnaire.pk,
        questionnaire.slug,
        frozenset(),
        [(q.pk, q.number, sheets.normalise_question(q.text)) for q in questions.values()],
    )
    matched = sheets.match_sections(sheet.sections, info, [])
    found = [
        (questions[question_id], section.body.strip())
        for section, question_id in zip(sheet.sections, matched, strict=True)
        if question_id is not None and section.body.strip()
    ]
    if not found:
        raise SourceTextError(
            _(
                "No answer to a question of “%(questionnaire)s” was found in the text: "
                "paste it with the questions' numbers or headings, as candidates write them."
            )
            % {"questionnaire": questionnaire}
        )
    return found


def add_answers(source: KnownSource, answers: list[tuple[Question, str]]) -> int:
    """Store ``answers`` as the source's, each compared with the answers already imported
    (``copying.add_source_answer``); the number stored."""
    for question, text in answers:
        copying.add_source_answer(source, question, text)
    return len(answers)
