"""Import candidates' markdown answer files.

HR receives answer sheets as files (often a README from a candidate's repository). This
command reads files, folders and globs, hands them to ``interviews.importing`` and reports
what happened to each file. Re-running it on the same files changes nothing.

``--explain`` imports nothing: it prints, for each file, the lines the parser took as the
preamble, each question and answer and the trailer, and the rule behind each, so that one
can see at once why a file was split as it was.

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
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext_lazy

from interviews import importing, messages, sheets
from interviews.links import client, sources
from interviews.models import Submission

# Each file's status as the first word of its line.
STATUS = {
    importing.CREATED: pgettext_lazy("file", "created"),
    importing.REVISED: pgettext_lazy("file", "revised"),
    importing.UNCHANGED: pgettext_lazy("file", "unchanged"),
    importing.FAILED: pgettext_lazy("file", "failed"),
    importing.NEEDS_REVIEW: pgettext_lazy("file", "needs-review"),
}


class Command(BaseCommand):
    help = (
        "Import markdown answer files: files, directories (recursively *.md, *.markdown, "
        "*.txt), globs, - for standard input, or links (a repository's README, a file in a "
        "repository, a gist, any https:// text file)."
    )

    # Tests and callers may hand in their own binary-capable stream for "-".
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="Files, directories, globs, -, or https:// links."
        )
        parser.add_argument("--urls", metavar="FILE", help="A file of links to import, one a line.")
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Fetch every sheet imported from a link again; changed ones become new revisions.",
        )
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
        parser.add_argument(
            "--source",
            metavar="TITLE",
            help="Import the files as a known source of their questionnaire (a public "
            "answers repository): reference answers that candidates' answers are compared "
            "with, not a candidate's sheet.",
        )
        parser.add_argument("--source-url", default="", help="Where the known source is published.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.ZVONOK_IMPORT_MAX_BYTES,
            help="Refuse files larger than this (default: %(default)s).",
        )
        parser.add_argument("--workers", type=int, default=None, help="Parser processes.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Import nothing: print the parts the parser found in each file and why.",
        )

    def handle(self, *args, **options):
        # The command speaks the installation's language, as the admin does by default.
        with translation.override(settings.LANGUAGE_CODE):
            if options["refresh"]:
                if options["paths"] or options["urls"]:
                    raise CommandError(
                        gettext(
                            "--refresh fetches the linked sheets already imported; "
                            "give it no files or links"
                        )
                    )
                self._refresh(options)
            else:
                self._import(options)

    def _import(self, options):
        given = list(options["paths"])
        if options["urls"]:
            given += _links_in(options["urls"])
        if not given:
            raise CommandError(gettext("give files, folders, links, --urls FILE or --refresh"))
        paths = _expand(given)
        if not paths:
            raise CommandError("no answer files found in " + ", ".join(given))
        if (options["name"] or options["email"]) and len(paths) > 1:
            raise CommandError(
                f"--name and --email describe one candidate, but {len(paths)} files were given"
            )
        try:
            importing.validate_options(
                questionnaire=options["questionnaire"], vacancy=options["vacancy"]
            )
        except importing.ImportError_ as exc:
            raise CommandError(messages.translate(str(exc))) from exc

        policy = client.Policy.from_settings(max_bytes=options["max_bytes"])
        if options["explain"]:
            max_bytes = options["max_bytes"]
            files = _read(paths, max_bytes, options.get("stdin") or sys.stdin, policy)
            failed = sum(not self._explain(source, max_bytes) for source in files)
            if failed:
                raise CommandError(
                    ngettext(
                        "%(count)d of %(files)d files failed",
                        "%(count)d of %(files)d files failed",
                        failed,
                    )
                    % {"count": failed, "files": len(paths)},
                    returncode=1,
                )
            return

        as_json = options["format"] == "json"
        verbosity = options["verbosity"]
        progress = (
            _Progress(self.stderr, len(paths))
            if (verbosity >= 1 and not as_json and len(paths) >= 20 and self.stderr.isatty())
            else None
        )

        report = importing.import_sources(
            _read(paths, options["max_bytes"], options.get("stdin") or sys.stdin, policy),
            questionnaire=options["questionnaire"],
            vacancy=options["vacancy"],
            name=options["name"],
            email=options["email"],
            dry_run=options["dry_run"],
            accept_unstructured=options["accept_unstructured"],
            max_bytes=options["max_bytes"],
            source=options["source"],
            source_url=options["source_url"],
            with_answers=as_json or verbosity >= 2,
            workers=options["workers"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        if progress:
            progress.done()
        self._finish(report, options)

    def _refresh(self, options):
        policy = client.Policy.from_settings(max_bytes=options["max_bytes"])
        linked = sources.linked_latest(Submission.objects.all())
        report = importing.ImportReport(files=sources.refresh(linked, policy=policy), dry_run=False)
        self._finish(report, options)

    def _finish(self, report, options):
        as_json = options["format"] == "json"
        verbosity = options["verbosity"]
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
                self.stderr.write(f"{f.path}: {messages.translate(f.error)}")
                continue
            if verbosity >= 1:
                where = f" ({f.questionnaire})" if f.questionnaire else ""
                status = str(STATUS[f.status])
                self.stdout.write(f"{status:<9} {f.path} → {f.candidate}{where}")
                for warning in f.warnings:
                    line = gettext("warning: %(text)s") % {"text": messages.translate(warning)}
                    self.stdout.write(self.style.WARNING(f"          {line}"))
            if verbosity >= 2:
                for a in f.answers:
                    matched = a.matched_question or "—"
                    self.stdout.write(f"          line {a.line}: {a.label or '—'} → {matched}")
        if verbosity >= 1:
            s = report.summary()
            count = s[importing.NEEDS_REVIEW]
            held = (
                ngettext(", %(count)d needs review", ", %(count)d need review", count)
                % {"count": count}
                if count
                else ""
            )
            summary = (
                gettext(
                    "%(files)s files: %(created)s created, %(revised)s revised, "
                    "%(unchanged)s unchanged, %(failed)s failed"
                )
                % s
            ) + held
            if report.dry_run:
                summary = gettext("dry run, nothing written: %(summary)s") % {"summary": summary}
            self.stdout.write(self.style.SUCCESS(summary))

    def _explain(self, source, max_bytes: int) -> bool:
        """Print the outline of one file (:func:`.sheets.outline`); False if it is unusable."""
        sheet = source.error or sheets.try_parse_bytes(source.data, max_bytes=max_bytes)
        if not isinstance(sheet, sheets.ParsedSheet):
            self.stderr.write(f"{source.name}: {messages.translate(sheet)}")
            return False
        kinds = {
            "front-matter": gettext("front matter"),
            "preamble": gettext("preamble"),
            "question": gettext("question"),
            "answer": gettext("answer"),
            "trailer": gettext("trailer"),
        }
        self.stdout.write(source.name)
        for part in sheets.outline(sheet):
            lines = (
                gettext("line %(first)s") % {"first": part.first}
                if part.first == part.last
                else gettext("lines %(first)s–%(last)s") % {"first": part.first, "last": part.last}
            )
            what = f"{kinds[part.kind]} {part.label}".strip()
            if part.group:
                what += f" [{part.group}]"
            why = f"{part.rule}: {gettext(sheets.RULES[part.rule])}" if part.rule else ""
            self.stdout.write(f"  {lines:<16} {what:<18} {why}".rstrip())
        for warning in sheet.warnings:
            line = gettext("warning: %(text)s") % {"text": messages.translate(warning)}
            self.stdout.write(self.style.WARNING(f"  {line}"))
        return True


def _expand(patterns):
    """Paths to import, in a stable order, each once."""
    found, seen = [], set()

    def add(path):
        key = path if path == "-" else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            found.append(path)

    for pattern in patterns:
        if pattern == importing.STDIN or _is_link(pattern):
            add(pattern)
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


def _is_link(path: str) -> bool:
    return path.startswith(("https://", "http://"))


def _links_in(path: str) -> list[str]:
    """The links of a --urls file: one a line; blank lines and # comments skipped."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise CommandError(f"--urls {path}: {exc.strerror or exc}") from exc
    links = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _is_link(line):
            raise CommandError(f"--urls {path}, line {number}: not a link: {line[:80]}")
        links.append(line)
    return links


def _read(paths, max_bytes, stdin, policy):
    """SourceFiles, read one at a time so that memory stays flat on big folders."""
    for path in paths:
        if _is_link(path):
            yield sources.read_link(path, policy)
            continue
        if path == importing.STDIN:
            data = getattr(stdin, "buffer", stdin).read(max_bytes + 1)
            yield importing.SourceFile(importing.STDIN, data)
            continue
        try:
            size = os.stat(path).st_size
            if size > max_bytes:
                # Refused before reading: a huge file never enters memory.
                yield importing.SourceFile(path, error=sheets.size_error(size, max_bytes))
                continue
            # Read as many bytes as the file has, not max_bytes: a buffer of max_bytes for
            # each small file costs more than reading it. One that grew since is read on,
            # up to one byte past the limit so that the parser still refuses it.
            with open(path, "rb", buffering=0) as fh:
                data = fh.read(size + 1)
                while len(data) <= max_bytes and (more := fh.read(max_bytes + 1 - len(data))):
                    data += more
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
