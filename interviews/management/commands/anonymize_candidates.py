"""Anonymise candidates: on request (152-FZ art. 21, GDPR art. 17) or when the retention
period has passed. Run --retention-passed regularly (e.g. daily from cron)."""

from django.core.management.base import BaseCommand, CommandError

from interviews import privacy
from interviews.models import Candidate


class Command(BaseCommand):
    help = "Replace candidates' personal data with placeholders and erase their texts."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--candidate", type=int, action="append", help="Candidate id.")
        which.add_argument(
            "--retention-passed",
            action="store_true",
            help="Every candidate inactive for longer than ZVONOK_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--keep-answers",
            action="store_true",
            help="Keep answer bodies for statistics (they may still name the person).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Also candidates with an open application."
        )
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args, candidate, retention_passed, keep_answers, force, dry_run, **options):
        if candidate:
            found = Candidate.objects.filter(pk__in=candidate)
            missing = set(candidate) - set(found.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no candidate with id {', '.join(map(str, sorted(missing)))}")
        else:
            found = privacy.retention_passed()
        done = skipped = refused = 0
        for person in found.order_by("pk"):
            if person.is_anonymized:
                skipped += 1
                continue
            if dry_run:
                open_note = " (open application)" if privacy.has_open_application(person) else ""
                self.stdout.write(f"would anonymise candidate #{person.pk}{open_note}")
                done += 1
                continue
            try:
                privacy.anonymize(person, keep_answers=keep_answers, force=force)
            except privacy.PrivacyError as exc:
                refused += 1
                self.stderr.write(str(exc))
                continue
            done += 1
        if options["verbosity"] >= 1:
            verb = "would be anonymised" if dry_run else "anonymised"
            self.stdout.write(f"{done} {verb}, {skipped} already anonymised, {refused} refused")
        if refused:
            raise CommandError(f"{refused} candidate(s) refused", returncode=1)
