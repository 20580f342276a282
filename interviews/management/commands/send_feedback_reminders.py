"""Remind interviewers to submit their scorecards.

Feedback written days after an interview is feedback half forgotten. Run this hourly
(cron, a systemd timer): it e-mails every interviewer whose interview ended more than
``--hours`` ago without their submitted scorecard, at most once a day per interview.
The rules live in ``interviews.reminders``; the e-mails are tasks of the outbox, sent
(and tried again) by the task workers, or at once with the immediate task backend.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from interviews import reminders


class Command(BaseCommand):
    help = (
        "E-mail interviewers whose interviews ended more than --hours ago and who have "
        "not submitted a scorecard; at most once a day per interview."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Remind once an interview ended this many hours ago (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would be e-mailed; queue and record nothing.",
        )

    def handle(self, *args, **options):
        hours = options["hours"]
        if hours < 0:
            raise CommandError(f"--hours: must not be negative, got {hours}")
        verbosity = options["verbosity"]

        report = reminders.send_reminders(
            now=timezone.now(), hours=hours, dry_run=options["dry_run"]
        )

        if verbosity >= 1:
            for due in report.skipped:
                user = due.interviewer
                why = "account is inactive" if not user.is_active else "no e-mail address"
                self.stdout.write(
                    self.style.WARNING(
                        f"skipped {user.get_username()}: {why} "
                        f"({_interviews(len(due.interviews))} due)"
                    )
                )
        # A dry run exists to show who would be e-mailed; a real run lists them on -v 2.
        if verbosity >= (1 if report.dry_run else 2):
            for due in report.sent:
                user = due.interviewer
                ids = ", ".join(str(i.pk) for i in due.interviews)
                verb = "would e-mail" if report.dry_run else "queued an e-mail to"
                self.stdout.write(f"{verb} {user.get_username()} <{user.email}>: interviews {ids}")
        if verbosity >= 1:
            prefix = "dry run, nothing sent: " if report.dry_run else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}{len(report.sent)} e-mails about "
                    f"{_interviews(report.interviews_sent)} queued, {len(report.skipped)} "
                    f"interviewers skipped"
                )
            )


def _interviews(n):
    return f"{n} interview" if n == 1 else f"{n} interviews"
