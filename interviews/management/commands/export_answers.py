"""Export imported answer sheets back to markdown.

For sharing a candidate's answers outside Zvonok, for backups of the answers alone, and as
the proof that nothing was lost on import: an exported file imports to the same answers.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.exports.markdown import export_filename, export_submission, submissions_for_export
from interviews.management.candidates import find_candidate


class Command(BaseCommand):
    help = "Export submissions as markdown answer sheets (latest revision of each)."

    def add_arguments(self, parser):
        parser.add_argument("--candidate", help="Candidate id or e-mail.")
        parser.add_argument("--questionnaire", help="Questionnaire slug.")
        parser.add_argument("--vacancy", help="Vacancy slug.")
        parser.add_argument(
            "--all-revisions", action="store_true", help="Every revision, not only the latest."
        )
        parser.add_argument(
            "--out", help="Directory to write one file per submission (default: stdout)."
        )

    def handle(self, *args, candidate, questionnaire, vacancy, all_revisions, out, **options):
        submissions = submissions_for_export(
            candidate=find_candidate(candidate) if candidate else None,
            questionnaire=questionnaire,
            vacancy=vacancy,
            all_revisions=all_revisions,
        )
        if not submissions.exists():
            raise CommandError("no submissions match the filters")
        if out is None:
            for i, submission in enumerate(submissions):
                if i:
                    self.stdout.write("\n")
                self.stdout.write(export_submission(submission), ending="")
            return
        directory = Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"{directory}: cannot create the directory: {exc}") from exc
        count = 0
        for submission in submissions:
            path = directory / export_filename(submission)
            path.write_text(export_submission(submission), encoding="utf-8")
            count += 1
            if options["verbosity"] >= 2:
                self.stdout.write(str(path))
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"{count} files written to {directory}"))
