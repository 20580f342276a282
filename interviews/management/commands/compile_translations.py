"""Compile the .po translation catalogues to .mo files.

Django's own `compilemessages` needs GNU gettext's msgfmt, which a fresh machine or a slim
container may lack; polib does the same in pure Python, so `make run` needs only Python.
"""

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every django.po under LOCALE_PATHS into django.mo next to it."

    def handle(self, *args, **options):
        compiled = 0
        for root in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Written aside, then renamed over the old file: a process reading the
                # catalogue meanwhile (a server, a parallel test worker) never sees half.
                partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
                try:
                    catalogue = polib.pofile(str(po_path))
                    catalogue.save_as_mofile(str(partial))
                    os.replace(partial, mo_path)
                except (OSError, ValueError) as exc:
                    partial.unlink(missing_ok=True)
                    raise CommandError(f"{po_path}: {exc}") from exc
                compiled += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{po_path} -> {mo_path.name}")
        if options["verbosity"] >= 1:
            self.stdout.write(f"{compiled} catalogue(s) compiled")
