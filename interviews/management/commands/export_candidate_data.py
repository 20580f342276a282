"""Subject access: everything Zvonok stores about one person (152-FZ art. 14, GDPR
art. 15), as JSON for machines and markdown for the person."""

from pathlib import Path

from django.core.management.base import BaseCommand

from interviews import privacy
from interviews.management.candidates import find_candidate


class Command(BaseCommand):
    help = "Export all data stored about a candidate (JSON, and markdown with --out)."

    def add_arguments(self, parser):
        parser.add_argument("candidate", help="Candidate id or e-mail.")
        parser.add_argument(
            "--out",
            help="Directory for candidate-<id>.json and candidate-<id>.md "
            "(default: JSON to stdout).",
        )

    def handle(self, *args, candidate, out, **options):
        candidate = find_candidate(candidate)
        candidate_id = candidate.pk
        data = privacy.subject_data(candidate)
        privacy.record_export(candidate)
        if out is None:
            self.stdout.write(privacy.subject_json(data))
            return
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"candidate-{candidate_id}.json").write_text(
            privacy.subject_json(data), encoding="utf-8"
        )
        (directory / f"candidate-{candidate_id}.md").write_text(
            privacy.subject_markdown(data), encoding="utf-8"
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"written to {directory}")
