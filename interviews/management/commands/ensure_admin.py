"""Create (or refresh) the administrator account for a local Zvonok.

`make run` calls this so that a fresh clone ends with a login that works. The password is
never a fixed default: it comes from DJANGO_SUPERUSER_PASSWORD, or is generated once and
kept in a local file (git-ignored, readable by its owner only) so later runs print the same.
"""

import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create or update the admin user and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
        )
        parser.add_argument("--email", default=os.environ.get("DJANGO_SUPERUSER_EMAIL", ""))
        parser.add_argument(
            "--password-file",
            default=".admin-password",
            help="Where a generated password is kept between runs (default: %(default)s).",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, email, password_file, url, **options):
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        path = Path(password_file)
        if not password:
            try:
                password = path.read_text(encoding="utf-8").strip() if path.exists() else ""
            except OSError as exc:
                raise CommandError(f"{path}: cannot read the saved password: {exc}") from exc
            if not password:
                password = secrets.token_urlsafe(12)
                path.touch(mode=0o600, exist_ok=True)
                path.write_text(password + "\n", encoding="utf-8")

        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()

        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} admin user."))
        self.stdout.write(f"  Admin:    {url}")
        self.stdout.write(f"  Login:    {username}")
        self.stdout.write(f"  Password: {password}")
