"""Print the pairs of similar answers Zvonok has found (interviews.copying).

Pairs are found when answers are imported and when a known source is added, and kept;
this command reads them, highest similarity first, for a review outside the admin or a
script. ``--refresh`` finds them all again first (answers imported before fingerprints
existed). A pair is a hint for a human, not a verdict.

JSON: ``{"pairs": [{"answer_id", "other_answer_id", "similarity", "question"}],
"summary": {...}}``. A pair with a known source's answer has ``other_answer_id`` null and
a ``source`` object (``source_answer_id``, ``title``, ``url``).
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext, ngettext

from interviews import copying
from interviews.models import Questionnaire, Vacancy


def _similarity(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Print the pairs of similar answers found (to another candidate's or a known source's)."

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", help="Questionnaire slug.")
        parser.add_argument("--vacancy", help="Vacancy slug: pairs with an answer on it.")
        parser.add_argument(
            "--min-similarity",
            type=str,
            default=str(copying.THRESHOLD),
            help="From 0 to 1 (default: %(default)s, the lowest that is stored).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Find every pair again first (of the questionnaire, or of all).",
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options):
        try:
            minimum = _similarity(options["min_similarity"])
        except ValueError as exc:
            raise CommandError(
                gettext("--min-similarity: %(value)s is not a number from 0 to 1")
                % {"value": options["min_similarity"]}
            ) from exc
        questionnaire = vacancy = None
        if slug := options["questionnaire"]:
            questionnaire = Questionnaire.objects.filter(slug=slug).first()
            if questionnaire is None:
                raise CommandError(gettext("no questionnaire %(slug)s") % {"slug": repr(slug)})
        if slug := options["vacancy"]:
            vacancy = Vacancy.objects.filter(slug=slug).first()
            if vacancy is None:
                raise CommandError(gettext("no vacancy %(slug)s") % {"slug": repr(slug)})
        if options["refresh"]:
            found = copying.refresh(questionnaire=questionnaire)
            if options["verbosity"] >= 1 and options["format"] == "text":
                self.stdout.write(
                    ngettext("%(count)d pair found again", "%(count)d pairs found again", found)
                    % {"count": found}
                )
        pairs = copying.pairs_listed(
            questionnaire=questionnaire, vacancy=vacancy, min_similarity=minimum
        )
        if options["format"] == "json":
            self._json(pairs, minimum, questionnaire, vacancy)
        else:
            self._text(pairs, options["verbosity"])

    def _json(self, pairs, minimum, questionnaire, vacancy):
        rows = []
        for match in pairs.iterator(chunk_size=2000):
            row = {
                "answer_id": match.answer_id,
                "other_answer_id": match.other_answer_id,
                "similarity": match.similarity,
                "question": match.answer.question.number if match.answer.question else None,
            }
            if match.source_answer_id:
                source = match.source_answer.source
                row["source"] = {
                    "source_answer_id": match.source_answer_id,
                    "title": source.title,
                    "url": source.url,
                }
            rows.append(row)
        summary = {
            "pairs": len(rows),
            "with_sources": sum(1 for row in rows if row["other_answer_id"] is None),
            "answers": len(
                {row["answer_id"] for row in rows}
                | {row["other_answer_id"] for row in rows if row["other_answer_id"]}
            ),
            "min_similarity": minimum,
            "questionnaire": questionnaire.slug if questionnaire else None,
            "vacancy": vacancy.slug if vacancy else None,
        }
        self.stdout.write(
            json.dumps({"pairs": rows, "summary": summary}, ensure_ascii=False, indent=2)
        )

    def _text(self, pairs, verbosity):
        count = 0
        for match in pairs.iterator(chunk_size=2000):
            count += 1
            if verbosity < 1:
                continue
            answer = match.answer
            question = answer.question.number if answer.question else "—"
            if match.source_answer_id:
                other = gettext("source %(title)s") % {"title": match.source_answer.source.title}
            else:
                other = _who(match.other_answer)
            self.stdout.write(
                f"{match.similarity:6.0%}  "
                + gettext("question %(number)s") % {"number": question}
                + f": {_who(answer)} ~ {other}"
            )
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("%(count)d pair", "%(count)d pairs", count) % {"count": count}
                )
            )


def _who(answer) -> str:
    return f"#{answer.pk} {answer.submission.candidate.full_name}"
