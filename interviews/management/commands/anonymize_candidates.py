"""Anonymise candidates: on request (152-FZ art. 21, GDPR art. 17) or when the retention
period has passed. Run --retention-passed regularly (e.g. daily from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interviews import privacy
from interviews.management.candidates import find_candidates
from interviews.models import Candidate


class Command(BaseCommand):
    help = "Replace candidates' personal data with placeholders and erase their texts."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--candidate", action="append", help="Candidate id or e-mail (may be repeated)."
        )
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
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what a real run would do, change nothing."
        )

    def handle(self, *args, candidate, retention_passed, keep_answers, force, dry_run, **options):
        if candidate:
            found = Candidate.objects.filter(pk__in=[c.pk for c in find_candidates(candidate)])
        else:
            found = privacy.retention_passed()
        done = skipped = refused = 0
        for person in found.order_by("pk"):
            if person.is_anonymized:
                skipped += 1
                continue
            # The dry run asks the rule the real run obeys (privacy.anonymize_refusal).
            reason = privacy.anonymize_refusal(person, force=force)
            if reason is None and not dry_run:
                try:
                    privacy.anonymize(person, keep_answers=keep_answers, force=force)
                except privacy.PrivacyError as exc:  # the application opened meanwhile
                    reason = str(exc)
            if reason is not None:
                refused += 1
                self.stderr.write(
                    _("%(reason)s; add --force to anonymise anyway") % {"reason": reason}
                )
                continue
            if dry_run:
                self.stdout.write(_("would anonymise candidate #%(id)d") % {"id": person.pk})
            done += 1
        if options["verbosity"] >= 1:
            counts = {"done": done, "skipped": skipped, "refused": refused}
            summary = (
                _(
                    "dry run: %(done)d would be anonymised, %(skipped)d already anonymised, "
                    "%(refused)d would be refused"
                )
                if dry_run
                else _("%(done)d anonymised, %(skipped)d already anonymised, %(refused)d refused")
            )
            self.stdout.write(summary % counts)
        if refused:
            raise CommandError(
                ngettext("%(count)d candidate refused", "%(count)d candidates refused", refused)
                % {"count": refused},
                returncode=1,
            )
