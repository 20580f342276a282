"""Set up the local demo (`make setup`, `make run`): .env, migrations, the shipped
questionnaire and example answers, the administrator. Safe to run again: see
``interviews.demo`` for what each part leaves alone."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from interviews import demo


class Command(BaseCommand):
    help = "Set up the local demo; a second run changes nothing that exists."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")
        parser.add_argument(
            "--password-file",
            default=str(Path(settings.BASE_DIR) / ".admin-password"),
            help="Where a generated admin password is kept (default: %(default)s).",
        )

    def handle(self, *args, url, password_file, **options):
        verbosity = options["verbosity"]
        say = self.stdout.write if verbosity >= 1 else (lambda *a, **k: None)
        if settings.ENV_FILE:
            path = Path(settings.ENV_FILE)
            if demo.write_env_file(path, demo.database_url()):
                say(
                    _("Wrote %(path)s: debug on, a new secret key and the database in use.")
                    % {"path": path}
                )
            else:
                say(_("%(path)s exists: left as it is.") % {"path": path})

        # The stream underneath: migrate ends its "Applying ..." lines itself.
        stream = getattr(self.stdout, "_out", self.stdout)
        call_command("migrate", interactive=False, verbosity=verbosity, stdout=stream)

        if demo.database_is_empty():
            # All or nothing: a run that fails halfway leaves an empty database, which
            # the next run fills.
            with transaction.atomic():
                call_command("loaddata", demo.FIXTURE, verbosity=0)
                call_command(
                    "import_answers",
                    str(demo.EXAMPLES),
                    questionnaire=demo.QUESTIONNAIRE,
                    vacancy=demo.VACANCY,
                    verbosity=verbosity,
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
            say(self.style.SUCCESS(_("Loaded the shipped questionnaire and the example answers.")))
        else:
            say(
                _(
                    "The database already has questionnaires, vacancies or candidates: the "
                    "shipped questionnaire and the examples are not loaded again."
                )
            )

        call_command(
            "ensure_admin",
            url=url,
            password_file=password_file,
            verbosity=verbosity,
            stdout=self.stdout,
        )
