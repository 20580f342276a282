"""Import candidates' markdown answer files.

HR receives answer sheets as files (often a README from a candidate's repository). This
command reads files, folders and globs, hands them to ``interviews.importing`` and reports
what happened to each file. Re-running it on the same files changes nothing.

A file that does not look like an answer sheet (a project's own README, "hello") is not
imported: it is reported as needs-review and the command exits with status 1, as for a
failed file, so that scripts notice. ``--accept-unstructured`` imports such files too,
marked for review in the admin.
"""

import glob
import json
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from interviews import importing, sheets


class Command(BaseCommand):
    help = (
        "Import markdown answer files: files, directories (recursively *.md, *.markdown, "
        "*.txt), globs, or - for standard input."
    )

    # Tests and callers may hand in their own binary-capable stream for "-".
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, directories, globs, or -.")
        parser.add_argument(
            "--questionnaire",
            help="Questionnaire slug (default: front "
            "matter, the vacancy's, or detected from the file).",
        )
        parser.add_argument("--vacancy", help="Vacancy slug: also records the application.")
        parser.add_argument("--name", help="Candidate's full name (one file only).")
        parser.add_argument("--email", help="Candidate's e-mail (one file only).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and match, write nothing."
        )
        parser.add_argument(
            "--accept-unstructured",
            action="store_true",
            help="Also import files that do not look like answer sheets (no questions "
            "found), marked as needing review; without it they are reported as "
            "needs-review and not imported.",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.ZVONOK_IMPORT_MAX_BYTES,
            help="Refuse files larger than this (default: %(default)s).",
        )
        parser.add_argument("--workers", type=int, default=None, help="Parser processes.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        paths = _expand(options["paths"])
        if not paths:
            raise CommandError("no answer files found in " + ", ".join(options["paths"]))
        if (options["name"] or options["email"]) and len(paths) > 1:
            raise CommandError(
                f"--name and --email describe one candidate, but {len(paths)} files were given"
            )
        try:
            importing.validate_options(
                questionnaire=options["questionnaire"], vacancy=options["vacancy"]
            )
        except importing.ImportError_ as exc:
            raise CommandError(str(exc)) from exc

        as_json = options["format"] == "json"
        verbosity = options["verbosity"]
        progress = (
            _Progress(self.stderr, len(paths))
            if (verbosity >= 1 and not as_json and len(paths) >= 20 and self.stderr.isatty())
            else None
        )

        report = importing.import_sources(
            _read(paths, options["max_bytes"], options.get("stdin") or sys.stdin),
            questionnaire=options["questionnaire"],
            vacancy=options["vacancy"],
            name=options["name"],
            email=options["email"],
            dry_run=options["dry_run"],
            accept_unstructured=options["accept_unstructured"],
            max_bytes=options["max_bytes"],
            with_answers=as_json or verbosity >= 2,
            workers=options["workers"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        if progress:
            progress.done()

        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._write_text(report, verbosity)
        failed, held = len(report.failed), len(report.needs_review)
        problems = []
        if failed:
            problems.append(
                ngettext(
                    "%(count)d of %(files)d files failed",
                    "%(count)d of %(files)d files failed",
                    failed,
                )
                % {"count": failed, "files": len(report.files)}
            )
        if held:
            problems.append(
                ngettext(
                    "%(count)d of %(files)d files needs review and was not imported "
                    "(--accept-unstructured imports it)",
                    "%(count)d of %(files)d files need review and were not imported "
                    "(--accept-unstructured imports them)",
                    held,
                )
                % {"count": held, "files": len(report.files)}
            )
        if problems:
            raise CommandError("; ".join(problems), returncode=1)

    def _write_text(self, report, verbosity):
        for f in report.files:
            if f.status == importing.FAILED:
                self.stderr.write(f"{f.path}: {f.error}")
                continue
            if verbosity >= 1:
                where = f" ({f.questionnaire})" if f.questionnaire else ""
                self.stdout.write(f"{f.status:<9} {f.path} → {f.candidate}{where}")
                for warning in f.warnings:
                    self.stdout.write(self.style.WARNING(f"          warning: {warning}"))
            if verbosity >= 2:
                for a in f.answers:
                    matched = a.matched_question or "—"
                    self.stdout.write(f"          line {a.line}: {a.label or '—'} → {matched}")
        if verbosity >= 1:
            s = report.summary()
            prefix = "dry run, nothing written: " if report.dry_run else ""
            count = s[importing.NEEDS_REVIEW]
            held = (
                ngettext(", %(count)d needs review", ", %(count)d need review", count)
                % {"count": count}
                if count
                else ""
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}{s['files']} files: {s['created']} created, {s['revised']} "
                    f"revised, {s['unchanged']} unchanged, {s['failed']} failed{held}"
                )
            )


def _expand(patterns):
    """Paths to import, in a stable order, each once."""
    found, seen = [], set()

    def add(path):
        key = path if path == "-" else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            found.append(path)

    for pattern in patterns:
        if pattern == "-":
            add("-")
            continue
        matches = (
            sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        )
        for match in matches:
            if os.path.isdir(match):
                for root, dirs, files in os.walk(match):  # does not follow directory links
                    dirs.sort()
                    for name in sorted(files):
                        if Path(name).suffix.lower() in importing.ANSWER_SUFFIXES:
                            add(os.path.join(root, name))
            else:
                # Missing and unreadable files are reported per file, not here.
                add(match)
    return found


def _read(paths, max_bytes, stdin):
    """SourceFiles, read one at a time so that memory stays flat on big folders."""
    for path in paths:
        if path == "-":
            data = getattr(stdin, "buffer", stdin).read(max_bytes + 1)
            yield importing.SourceFile("-", data)
            continue
        try:
            size = os.stat(path).st_size
            if size > max_bytes:
                # Refused before reading: a huge file never enters memory.
                yield importing.SourceFile(path, error=sheets.size_error(size, max_bytes))
                continue
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except FileNotFoundError:
            yield importing.SourceFile(path, error="no such file")
        except IsADirectoryError:
            yield importing.SourceFile(path, error="is a directory")
        except PermissionError:
            yield importing.SourceFile(path, error="permission denied")
        except OSError as exc:
            yield importing.SourceFile(path, error=exc.strerror or str(exc))
        else:
            yield importing.SourceFile(path, data)


class _Progress:
    """One self-overwriting line on a terminal."""

    def __init__(self, stream, total):
        self.stream, self.total, self.count = stream, total, 0
        self.started = time.monotonic()

    def __call__(self, n):
        self.count += n
        rate = self.count / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"\r{self.count}/{self.total} files ({rate:,.0f} files/s)", ending="")
        self.stream.flush()

    def done(self):
        self.stream.write("")
