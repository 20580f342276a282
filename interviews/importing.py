"""Parsed answer sheets into the database.

The one place that writes imported data: the ``import_answers`` command, the admin upload
and the tests all call :func:`import_sources`. It

* hashes every file and recognises files already imported without parsing them again;
* parses the rest (``interviews.sheets``; in worker processes when there are many);
* resolves the candidate (front matter, options, or the file name), the questionnaire
  (option, front matter, the vacancy's, or detected from the sheet) and the vacancy;
* matches sections to the questionnaire's questions, by number and then by text;
* writes a batch of files in one transaction with bulk inserts. If the batch fails (a
  constraint, a concurrent importer), it is rolled back and every file of it is retried in
  its own transaction, so one bad file never takes another down with it.

Statuses: ``created`` (first sheet of this candidate for this questionnaire), ``revised``
(new content: a new revision, earlier ones untouched), ``unchanged`` (the same bytes as the
latest revision), ``failed`` (nothing written for this file; ``error`` says why),
``needs-review`` (nothing written: the file does not look like an answer sheet, see
:func:`interviews.sheets.analysis.review_reason`; imported, and marked, only when accepted).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import chain, islice
from multiprocessing import get_context
from pathlib import PurePath

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import copying, messages, sheets
from .db.bulk import insert_rows
from .links import hosts
from .models import (
    Answer,
    Application,
    Candidate,
    Question,
    Questionnaire,
    SkillClaim,
    Submission,
    Vacancy,
)
from .sheets import analysis, contacts, frontmatter

logger = logging.getLogger(__name__)

# The files an answer sheet comes in, by name: a folder's, an archive's or an upload's.
ANSWER_SUFFIXES = (".md", ".markdown", ".txt")

# The path a file read from standard input goes by (import_answers -).
STDIN = "-"

CREATED, REVISED, UNCHANGED, FAILED = "created", "revised", "unchanged", "failed"
NEEDS_REVIEW = "needs-review"
STATUSES = (CREATED, REVISED, UNCHANGED, FAILED, NEEDS_REVIEW)

# Below this many files in a batch, starting worker processes costs more than it saves.
_POOL_THRESHOLD = 64


class ImportError_(Exception):
    """A file cannot be imported; the message is one line for the report."""


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file to import. ``error`` instead of ``data`` when it could not be read;
    ``accept_unstructured`` imports this file even if it does not look like an answer sheet
    (the admin upload's tick)."""

    name: str
    data: bytes | None = None
    error: str | None = None
    origin: Origin | None = None  # the link it was downloaded from
    accept_unstructured: bool = False


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a downloaded sheet came from (interviews.links): kept on the submission."""

    url: str
    raw_url: str = ""
    etag: str = ""
    commit: str = ""


@dataclass(kw_only=True, slots=True)
class ImportOptions:
    questionnaire: str | None = None  # slug; overrides front matter and detection
    vacancy: str | None = None  # slug
    name: str | None = None
    email: str | None = None
    candidate: int | None = None  # an existing candidate's id: the sheet is theirs
    imported_by: object | None = None  # a user
    dry_run: bool = False
    # Import files that do not look like answer sheets too, marked as needing review.
    accept_unstructured: bool = False
    max_bytes: int = sheets.MAX_BYTES_DEFAULT
    with_answers: bool = True  # report each answer (JSON output); off saves work on re-imports
    # A known source's title: the files are reference answers that candidates' answers are
    # compared with (interviews.copying), not a candidate's sheet.
    source: str | None = None
    source_url: str = ""


@dataclass(slots=True)
class AnswerReport:
    label: str
    number: str
    question_text: str
    matched_question: str | None
    line: int


@dataclass(slots=True)
class FileReport:
    path: str
    status: str = FAILED
    candidate: str = ""
    questionnaire: str | None = None
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    answers: list[AnswerReport] = field(default_factory=list)
    submission_id: int | None = None

    def as_dict(self):
        data = asdict(self)
        data.pop("submission_id")
        return data


@dataclass(slots=True)
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self):
        return [f for f in self.files if f.status == FAILED]

    @property
    def needs_review(self):
        return [f for f in self.files if f.status == NEEDS_REVIEW]

    def summary(self):
        counts = dict.fromkeys(STATUSES, 0)
        for f in self.files:
            counts[f.status] += 1
        return {
            "files": len(self.files),
            **counts,
            "answers": sum(len(f.answers) for f in self.files),
            "dry_run": self.dry_run,
        }

    def as_dict(self):
        return {"files": [f.as_dict() for f in self.files], "summary": self.summary()}


# -- entry points --------------------------------------------------------------------------


def import_bytes(data: bytes, *, source_name: str, **options) -> FileReport:
    """Import one file's bytes; see :func:`import_sources`."""
    report = import_sources([SourceFile(source_name, data)], **options)
    return report.files[0]


def import_sources(
    sources: Iterable[SourceFile],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 500,
    workers: int | None = None,
    analyse: Callable[[bytes], analysis.Analysis | sheets.SheetError] | None = None,
    **options,
) -> ImportReport:
    """Import answer files; never raises for a bad file (it is reported as failed).

    ``options`` are :class:`ImportOptions` fields. ``progress`` is called with the number
    of files finished after each batch. ``analyse`` stands in for
    :func:`interviews.sheets.analysis.analyse_bytes`, called in this process, in file order (the
    admin upload stops parsing with it when its time is spent).
    """
    opts = ImportOptions(**options)
    importer = _Importer(opts, workers=workers, analyse=analyse)
    report = ImportReport(dry_run=opts.dry_run)
    try:
        # One batch ahead: while a batch is written, the workers already parse the next.
        previous = None
        for batch in _chunks(sources, batch_size):
            started = importer.start_batch(batch)
            if previous is not None:
                report.files.extend(importer.finish_batch(previous))
                if progress:
                    progress(len(previous.plans))
            previous = started
        if previous is not None:
            report.files.extend(importer.finish_batch(previous))
            if progress:
                progress(len(previous.plans))
    finally:
        importer.close()
    return report


def validate_options(*, questionnaire=None, vacancy=None):
    """Raise ImportError_ for option values that would fail every file."""
    if questionnaire and not Questionnaire.objects.filter(slug=questionnaire).exists():
        raise ImportError_(messages.QUESTIONNAIRE_MISSING % {"slug": repr(questionnaire)})
    if vacancy and not Vacancy.objects.filter(slug=vacancy).exists():
        raise ImportError_(messages.VACANCY_MISSING % {"slug": repr(vacancy)})


# -- implementation ------------------------------------------------------------------------


def _chunks(iterable, size) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(slots=True)
class _Batch:
    plans: list  # every file of the batch, in order
    todo: list  # the files to parse and write
    parsed: Iterator  # their analyses (interviews.sheets.analysis), possibly still in progress


@dataclass(slots=True)
class _Plan:
    """What one file will write, decided before anything is written."""

    report: FileReport
    sha256: str
    data: bytes | None = None  # dropped once parsed
    origin: Origin | None = None
    sheet: sheets.ParsedSheet | None = None
    claims: tuple = ()  # skill claims per section (interviews.sheets.analysis)
    # Per section, its band hashes packed as Answer.fingerprint holds them, if computed.
    fingerprints: tuple | None = None
    candidate_key: str = ""
    candidate_fields: dict = field(default_factory=dict)
    candidate_id: int | None = None
    candidate_created: bool = False  # by this import, this transaction
    questionnaire: sheets.KnownQuestionnaire | None = None
    vacancy_id: int | None = None
    revision: int = 1
    matches: list[int | None] = field(default_factory=list)
    review: str | None = None  # why it may not be an answer sheet (sheets.analysis)
    accept_unstructured: bool = False


class _Importer:
    def __init__(self, opts: ImportOptions, *, workers: int | None, analyse=None):
        self.opts = opts
        self.analyse = analyse
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.fingerprints = settings.ZVONOK_COPY_FINGERPRINTS
        self._pool: ProcessPoolExecutor | None = None
        self._questionnaires: dict[int, sheets.KnownQuestionnaire] | None = None
        self._vacancies: dict[str, tuple[int, int | None]] = {}

    def close(self):
        if self._pool is not None:
            self._pool.shutdown()

    # -- a batch -----------------------------------------------------------------------

    def start_batch(self, sources: list[SourceFile]) -> _Batch:
        """Hash, skip what is unchanged, and set the parsing of the rest going."""
        plans = [self._hash(source) for source in sources]
        live = [p for p in plans if p.report.error is None]
        todo = live if self.opts.source else self._recognise_unchanged(live)
        return _Batch(plans, todo, self._start_parse(todo))

    def finish_batch(self, batch: _Batch) -> list[FileReport]:
        """Collect the parsed sheets and write them: one transaction for the batch, or
        one per file when the batch fails."""
        plans, todo = batch.plans, batch.todo
        self._collect_parsed(todo, batch.parsed)
        try:
            with transaction.atomic():
                self._plan_and_write([p for p in todo if p.report.error is None])
                if self.opts.dry_run:
                    transaction.set_rollback(True)
                    for plan in todo:
                        plan.report.submission_id = None
        except (IntegrityError, DatabaseError) as exc:
            # A constraint tripped (most often a concurrent importer won a race): redo each
            # file alone so that only the file at fault fails.
            logger.info("batch of %d files retried file by file: %s", len(todo), type(exc).__name__)
            for plan in todo:
                if plan.report.error is None:
                    self._import_alone(plan)
        return [p.report for p in plans]

    def _import_alone(self, plan: _Plan, attempts: int = 3):
        for attempt in range(attempts):
            _reset(plan)
            try:
                with transaction.atomic():
                    self._plan_and_write([plan])
                    if self.opts.dry_run:
                        transaction.set_rollback(True)
                return
            except IntegrityError as exc:
                if attempt == attempts - 1:
                    _fail(plan, f"conflicts with data written meanwhile: {_first_line(exc)}")
            except DatabaseError as exc:
                _fail(plan, f"database refused the file: {_first_line(exc)}")
                return

    # -- steps -------------------------------------------------------------------------

    def _hash(self, source: SourceFile) -> _Plan:
        report = FileReport(path=source.name)
        if source.error is not None or source.data is None:
            report.error = source.error or "no data"
            return _Plan(report=report, sha256="")
        sha256 = hashlib.sha256(source.data).hexdigest()
        return _Plan(
            report=report,
            sha256=sha256,
            data=source.data,
            origin=source.origin,
            accept_unstructured=source.accept_unstructured or self.opts.accept_unstructured,
        )

    def _recognise_unchanged(self, plans: list[_Plan]) -> list[_Plan]:
        """Mark files whose exact bytes are already the latest revision; return the rest.
        One query a batch: the latest-revision check is part of it.

        Only trusted when the options cannot point the same bytes somewhere else. An
        anonymised candidate's sheet is never the same file: whoever sends it again is
        imported as a new candidate.
        """
        if not plans:
            return []
        rows = list(
            Submission.objects.filter(
                sha256__in={p.sha256 for p in plans}, candidate__anonymized_at__isnull=True
            )
            .latest_revisions()
            .order_by()
            .values(
                "id",
                "sha256",
                "candidate_id",
                "candidate__full_name",
                "candidate__email",
                "questionnaire__slug",
                "encoding",
                "warnings",
                "application__vacancy__slug",
            )
        )
        by_sha: dict[str, list[dict]] = {}
        for row in rows:
            if self._options_agree(row):
                by_sha.setdefault(row["sha256"], []).append(row)
        todo, unchanged = [], []
        for plan in plans:
            matches = by_sha.get(plan.sha256, [])
            if len(matches) != 1:
                todo.append(plan)
                continue
            row = matches[0]
            report = plan.report
            report.status = UNCHANGED
            report.candidate = row["candidate__full_name"]
            report.questionnaire = row["questionnaire__slug"]
            report.encoding = row["encoding"]
            report.warnings = list(row["warnings"])
            report.submission_id = row["id"]
            unchanged.append(plan)
        if self.opts.with_answers and unchanged:
            _report_stored_answers(unchanged)
        return todo

    def _options_agree(self, row) -> bool:
        opts = self.opts
        if opts.candidate is not None and opts.candidate != row["candidate_id"]:
            return False
        if opts.email and opts.email.strip().lower() != row["candidate__email"].lower():
            return False
        if opts.name and not opts.email and opts.name.strip() != row["candidate__full_name"]:
            return False
        if opts.questionnaire and opts.questionnaire != row["questionnaire__slug"]:
            return False
        return not (opts.vacancy and opts.vacancy != row["application__vacancy__slug"])

    def _start_parse(self, plans: list[_Plan]):
        """The analyses of ``plans``' files, in order: already under way in the worker
        processes for a big batch (Executor.map submits everything at once), computed
        lazily here otherwise."""
        datas = [p.data for p in plans]
        for plan in plans:
            plan.data = None
        if self.analyse is not None:
            return map(self.analyse, datas)
        # A chunk of files a call: their answers are hashed together (analyse_many).
        parse = partial(
            analysis.analyse_many, max_bytes=self.opts.max_bytes, fingerprints=self.fingerprints
        )
        if self.workers > 1 and len(plans) >= _POOL_THRESHOLD:
            if self._pool is None:
                # forkserver: workers never inherit the parent's database connections.
                self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("forkserver"))
            size = max(1, len(plans) // (self.workers * 4))
            chunks = [datas[i : i + size] for i in range(0, len(datas), size)]
            return chain.from_iterable(self._pool.map(parse, chunks))
        return chain.from_iterable(map(parse, ([data] for data in datas)))

    def _collect_parsed(self, plans: list[_Plan], results):
        for plan, result in zip(plans, results, strict=True):
            if isinstance(result, sheets.SheetError):
                plan.report.error = str(result)
                continue
            plan.sheet, plan.claims, plan.review = result.sheet, result.claims, result.review
            plan.fingerprints = result.fingerprints
            plan.report.encoding = result.sheet.encoding
            plan.report.warnings = list(result.sheet.warnings)
            if not result.sheet.sections and not result.sheet.preamble.strip():
                plan.report.error = "empty file: nothing to import"

    def _plan_and_write(self, plans: list[_Plan]):
        for plan in plans:
            try:
                self._resolve(plan)
            except ImportError_ as exc:
                plan.report.error = str(exc)
        plans = [p for p in plans if p.report.error is None and not _hold_for_review(p)]
        if not plans:
            return
        if self.opts.source:
            for plan in plans:
                self._write_source(plan)
            return
        self._resolve_candidates(plans)
        self._decide_revisions(plans)
        self._write(plans)

    def _resolve(self, plan: _Plan):
        sheet, opts, report = plan.sheet, self.opts, plan.report
        fm = sheet.front_matter
        if opts.source:
            report.candidate = opts.source
        else:
            self._resolve_candidate(plan)

        vacancy_slug = opts.vacancy or _text(fm.get("vacancy")) or None
        vacancy_questionnaire = None
        if vacancy_slug:
            plan.vacancy_id, vacancy_questionnaire = self._vacancy(vacancy_slug)
        questionnaires = self._all_questionnaires()
        slug = opts.questionnaire or _text(fm.get("questionnaire")) or None
        if slug:
            found = [q for q in questionnaires.values() if q.slug == slug]
            if not found:
                raise ImportError_(messages.QUESTIONNAIRE_MISSING % {"slug": repr(slug)})
            plan.questionnaire = found[0]
        elif vacancy_questionnaire:
            plan.questionnaire = questionnaires.get(vacancy_questionnaire)
        else:
            plan.questionnaire = self._detect(sheet, report)
        report.questionnaire = plan.questionnaire.slug if plan.questionnaire else None
        plan.matches = self._match(sheet, plan.questionnaire, report)

    def _resolve_candidate(self, plan: _Plan):
        """The candidate's key and fields, from the options, the front matter or the file
        name."""
        opts, report = self.opts, plan.report
        fm = plan.sheet.front_matter
        # A misspelt key ("e-mail", "vacansy") would otherwise be dropped without a word.
        unused = sorted(set(fm) - frontmatter.IMPORT_KEYS)
        if unused:
            report.warnings.append(messages.FRONT_MATTER_UNUSED % {"keys": ", ".join(unused)})
        email = (opts.email or _text(fm.get("email"))).strip()
        name = (opts.name or _text(fm.get("name") or fm.get("full_name"))).strip()
        if not name:
            if email:
                name = email.split("@")[0]
                report.warnings.append(messages.NAMED_AFTER_EMAIL % {"name": name})
            elif report.path == STDIN:
                # Named after the file, the candidate would be "-".
                raise ImportError_(messages.STDIN_WITHOUT_NAME)
            elif plan.origin and hosts.owner(plan.origin.url):
                name = hosts.owner(plan.origin.url)
                report.warnings.append(messages.NAMED_AFTER_LINK % {"name": name})
            else:
                name = _name_from_path(report.path)
                report.warnings.append(messages.NAMED_AFTER_FILE % {"name": name})
        if opts.candidate is not None:
            plan.candidate_key = f"id:{opts.candidate}"
        elif email:
            plan.candidate_key = f"e:{contacts.normalise_email(email)}"
        else:
            plan.candidate_key = f"n:{name}"
        plan.candidate_fields = {
            "full_name": name[:200],
            **Candidate.contact_fields(
                email=email, phone=_text(fm.get("phone")), telegram=_text(fm.get("telegram"))
            ),
        }
        report.candidate = name

    def _vacancy(self, slug):
        if slug not in self._vacancies:
            row = Vacancy.objects.filter(slug=slug).values_list("id", "questionnaire_id").first()
            if row is None:
                raise ImportError_(messages.VACANCY_MISSING % {"slug": repr(slug)})
            self._vacancies[slug] = row
        return self._vacancies[slug]

    def _all_questionnaires(self) -> dict[int, sheets.KnownQuestionnaire]:
        if self._questionnaires is None:
            infos = {
                q.id: sheets.KnownQuestionnaire(
                    q.id,
                    q.slug,
                    frozenset(sheets.normalise_question(t) for t in (q.title, q.sheet_title) if t),
                    [],
                )
                for q in Questionnaire.objects.all()
            }
            for qid, number, questionnaire_id, text in Question.objects.order_by(
                "position", "id"
            ).values_list("id", "number", "questionnaire_id", "text"):
                infos[questionnaire_id].questions.append(
                    (qid, number, sheets.normalise_question(text))
                )
            self._questionnaires = infos
        return self._questionnaires

    def _detect(self, sheet, report) -> sheets.KnownQuestionnaire | None:
        questionnaires = self._all_questionnaires().values()
        return sheets.detect_questionnaire(sheet, questionnaires, report.warnings)

    def _match(self, sheet, info, report) -> list[int | None]:
        """Question id for each section (see :func:`interviews.sheets.match.match_sections`)."""
        sections = sheet.sections
        if info is None:
            matches, number_of = [None] * len(sections), {}
        else:
            matches = sheets.match_sections(sections, info, report.warnings)
            number_of = {qid: number for qid, number, _text in info.questions}
        # Every section is stored as an answer, matched or not: the report lists them all.
        if self.opts.with_answers:
            report.answers = [
                AnswerReport(s.label, s.number, s.question_text, number_of.get(m), s.line)
                for s, m in zip(sections, matches, strict=True)
            ]
        return matches

    def _resolve_candidates(self, plans: list[_Plan]):
        emails = {p.candidate_fields["email"].lower() for p in plans if p.candidate_fields["email"]}
        names = {p.candidate_fields["full_name"] for p in plans if not p.candidate_fields["email"]}
        known: dict[str, int] = {}
        given = {int(p.candidate_key[3:]) for p in plans if p.candidate_key.startswith("id:")}
        if given:
            for cid in Candidate.objects.filter(pk__in=given).values_list("pk", flat=True):
                known[f"id:{cid}"] = cid
        if emails:
            # Lower() on both sides and the blank address left out: the expression and the
            # condition of the partial unique index, which then serves the lookup.
            for cid, email in (
                Candidate.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=emails)
                .exclude(email="")
                .values_list("id", "email")
            ):
                known[f"e:{email.lower()}"] = cid
        if names:
            for cid, name in (
                Candidate.objects.filter(email="", full_name__in=names)
                .order_by("id")
                .values_list("id", "full_name")
            ):
                known.setdefault(f"n:{name}", cid)
        new: dict[str, dict] = {}
        for plan in plans:
            key = plan.candidate_key
            if key in known:
                plan.candidate_id = known[key]
            elif key not in new:
                new[key] = plan.candidate_fields
        if new:
            created = _insert_candidates(new.values(), by=self.opts.imported_by)
            known.update(zip(new, created, strict=True))
            self._flag_duplicates(plans, {key: (known[key], new[key]) for key in new})
        for plan in plans:
            plan.candidate_id = known[plan.candidate_key]
            plan.candidate_created = plan.candidate_key in new

    def _flag_duplicates(self, plans: list[_Plan], new: dict[str, tuple[int, dict]]):
        """Warn when a new candidate shares a phone or Telegram handle with another one:
        the same person may have written from another address."""
        phones = {fields["phone"] for _pk, fields in new.values() if fields["phone"]}
        handles = {fields["telegram"] for _pk, fields in new.values() if fields["telegram"]}
        if not phones and not handles:
            return
        others = (
            Candidate.objects.filter(Q(phone__in=phones) | Q(telegram__in=handles))
            .exclude(pk__in=[pk for pk, _fields in new.values()])
            .values_list("pk", "phone", "telegram")
        )
        by_phone, by_handle = {}, {}
        for pk, phone, handle in others:
            by_phone.setdefault(phone, pk)
            by_handle.setdefault(handle, pk)
        for plan in plans:
            candidate = new.get(plan.candidate_key)
            if candidate is None:
                continue
            _pk, fields = candidate
            for what, index, value in (
                (messages.PHONE, by_phone, fields["phone"]),
                ("Telegram", by_handle, fields["telegram"]),
            ):
                if value and value in index:
                    plan.report.warnings.append(
                        messages.POSSIBLE_DUPLICATE % {"id": index[value], "what": what}
                    )

    def _decide_revisions(self, plans: list[_Plan]):
        latest = _latest_revisions({p.candidate_id for p in plans})
        for plan in plans:
            key = (plan.candidate_id, plan.questionnaire.id if plan.questionnaire else None)
            revision, sha = latest.get(key, (0, ""))
            if sha == plan.sha256:
                plan.report.status = UNCHANGED
                continue
            plan.revision = revision + 1
            plan.report.status = REVISED if revision else CREATED
            latest[key] = (plan.revision, plan.sha256)

    def _write(self, plans: list[_Plan]):
        writing = [p for p in plans if p.report.status in (CREATED, REVISED)]
        if not writing:
            return
        applications = self._applications(writing)
        user_id = self.opts.imported_by.pk if self.opts.imported_by else None
        now = timezone.now()
        submission_ids = insert_rows(
            Submission,
            [
                "candidate",
                "questionnaire",
                "application",
                "source_name",
                "source_url",
                "source_raw_url",
                "source_etag",
                "source_commit",
                "sha256",
                "original_text",
                "encoding",
                "title",
                "preamble",
                "trailer",
                "revision",
                "imported_at",
                "imported_by",
                "warnings",
                "needs_review",
            ],
            [
                (
                    plan.candidate_id,
                    plan.questionnaire.id if plan.questionnaire else None,
                    applications.get((plan.candidate_id, plan.vacancy_id)),
                    plan.report.path[-500:],
                    *_origin_columns(plan.origin),
                    plan.sha256,
                    plan.sheet.text,
                    plan.sheet.encoding,
                    plan.sheet.title[:500],
                    plan.sheet.preamble,
                    plan.sheet.trailer,
                    plan.revision,
                    now,
                    user_id,
                    plan.report.warnings,
                    plan.review is not None,
                )
                for plan in writing
            ],
            return_ids=True,
        )
        answers = []
        for plan, submission_id in zip(writing, submission_ids, strict=True):
            plan.report.submission_id = submission_id
            for position, (section, qid, fingerprint) in enumerate(
                zip(plan.sheet.sections, plan.matches, self._fingerprints(plan), strict=True),
                start=1,
            ):
                answers.append(
                    (
                        submission_id,
                        qid,
                        section.label[:100],
                        section.question_text,
                        section.body,
                        position,
                        section.line,
                        fingerprint,
                    )
                )
        answer_ids = insert_rows(
            Answer,
            [
                "submission",
                "question",
                "label",
                "question_text",
                "body",
                "position",
                "line",
                "fingerprint",
            ],
            answers,
            return_ids=True,
        )
        self._write_skills(writing, answer_ids)
        if self.fingerprints:
            self._queue_matching(
                writing,
                [pk for pk, row in zip(answer_ids, answers, strict=True) if row[-1] is not None],
            )
        # Retention is counted from the last activity: a new sheet is one. Candidates
        # created just now have it already; updating them too would write each row twice.
        earlier = {p.candidate_id for p in writing if not p.candidate_created}
        if earlier:
            Candidate.objects.filter(pk__in=earlier).update(last_activity_at=now)

    def _write_source(self, plan: _Plan):
        """The file's answers as the known source's, replacing what an earlier import of
        the same source (questionnaire and title) gave it."""
        if plan.questionnaire is None:
            _fail(plan, messages.SOURCE_WITHOUT_QUESTIONNAIRE)
            return
        answers = [
            (qid, section.question_text, section.body)
            for section, qid in zip(plan.sheet.sections, plan.matches, strict=True)
            if qid is not None and section.body.strip()
        ]
        if not answers:
            _fail(plan, messages.SOURCE_WITHOUT_ANSWERS)
            return
        plan.report.status = copying.import_source(
            questionnaire_id=plan.questionnaire.id,
            title=self.opts.source,
            url=self.opts.source_url,
            by=self.opts.imported_by,
            answers=answers,
        )

    def _fingerprints(self, plan: _Plan) -> list[bytes | None]:
        """``Answer.fingerprint`` of each of the plan's answers, from the band hashes
        computed with the parse (None for a short answer). A sheet without a questionnaire
        is never matched (copying.matched_answers): its answers keep none."""
        if not self.fingerprints or plan.questionnaire is None:
            return [None] * len(plan.sheet.sections)
        found = plan.fingerprints
        if found is None:  # parsed by a caller's own analysis (the admin upload)
            found = analysis.section_fingerprints(plan.sheet)
        return list(found)

    def _queue_matching(self, writing: list[_Plan], answer_ids: list[int]):
        """Queue the matching of the new answers ``answer_ids`` (interviews.copying). A new
        revision takes over from the earlier ones at once: their bands and matches go."""
        replaced = copying.replaced_answers(
            {
                (p.candidate_id, p.questionnaire.id)
                for p in writing
                if p.revision > 1 and p.questionnaire
            },
            keep=[p.report.submission_id for p in writing],
        )
        copying.forget(replaced)
        copying.queue_matching(answer_ids)

    def _write_skills(self, writing: list[_Plan], answer_ids: list[int]):
        """Self-assessed skills ("FastAPI: 8/10", "Python — 3 года") of each new answer,
        read in the parsing step."""
        rows = []
        ids = iter(answer_ids)
        for plan in writing:
            for claims in plan.claims:
                answer_id = next(ids)
                rows.extend(
                    (
                        plan.candidate_id,
                        plan.report.submission_id,
                        answer_id,
                        c.skill,
                        c.value,
                        c.scale,
                        c.years,
                        c.snippet[:1000],
                    )
                    for c in claims
                )
        insert_rows(
            SkillClaim,
            ["candidate", "submission", "answer", "skill", "value", "scale", "years", "snippet"],
            rows,
        )

    def _applications(self, plans: list[_Plan]) -> dict[tuple[int, int], int]:
        return Application.objects.open_many(
            {(p.candidate_id, p.vacancy_id) for p in plans if p.vacancy_id},
            by=self.opts.imported_by,
            source=import_comment(),
        )


def import_comment() -> str:
    # A stage change's comment is stored text, like the ones people type: written in the
    # installation's language, whoever runs the import.
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("opened by an import of answers")


def _insert_candidates(candidates: Iterable[dict], *, by) -> list[int]:
    """Insert new candidates (``full_name``, ``email``, ``phone``, ``telegram``, normalised
    as Candidate.save() would) and their history rows ("created", by ``by``); their ids,
    in order. COPY on PostgreSQL: an INSERT of every column costs more than the rows
    themselves, and a model instance per row and per history row (simple_history's
    bulk_history_create) cost more than the rest of the main process's work together."""
    now = timezone.now()
    fields = ["full_name", "email", "phone", "telegram"]
    fixed = {
        "source": "",
        "notes": "",
        "consent_method": "",
        "legal_basis": "",
        "last_activity_at": now,
        "created_at": now,
        "updated_at": now,
    }
    rows = [(*(c[name] for name in fields), *fixed.values()) for c in candidates]
    ids = insert_rows(Candidate, [*fields, *fixed], rows, return_ids=True)
    history = Candidate.history.model
    # What bulk_history_create would write: every tracked column as inserted (those not
    # inserted are NULL), the time, the user (the request's when none is given).
    user = by or history.get_default_history_user(None)
    tracked = [f.name for f in history.tracked_fields if f.name != "id"]
    columns = [*fields, *fixed]
    given = {name: columns.index(name) for name in tracked if name in columns}
    insert_rows(
        history,
        ["id", *tracked, "history_date", "history_change_reason", "history_type", "history_user"],
        [
            (
                pk,
                *(row[given[name]] if name in given else None for name in tracked),
                now,
                "",
                "+",
                user.pk if user else None,
            )
            for pk, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def _latest_revisions(candidate_ids) -> dict[tuple[int, int | None], tuple[int, str]]:
    """(candidate, questionnaire) -> (latest revision, its sha256)."""
    rows = (
        Submission.objects.filter(candidate_id__in=candidate_ids)
        .latest_revisions()
        .values_list("candidate_id", "questionnaire_id", "revision", "sha256")
    )
    return {(c, q): (revision, sha) for c, q, revision, sha in rows}


def _report_stored_answers(plans: list[_Plan]):
    by_submission = {p.report.submission_id: p.report for p in plans}
    rows = (
        Answer.objects.filter(submission_id__in=by_submission)
        .order_by("submission_id", "position")
        .values_list("submission_id", "label", "question_text", "line", "question__number")
    )
    for submission_id, label, question_text, line, number in rows:
        by_submission[submission_id].answers.append(
            AnswerReport(label, sheets.label_number(label), question_text, number, line)
        )


def _origin_columns(origin: Origin | None) -> tuple[str, str, str, str]:
    if origin is None:
        return ("", "", "", "")
    return (origin.url[:1000], origin.raw_url[:1000], origin.etag[:200], origin.commit[:64])


def _hold_for_review(plan: _Plan) -> bool:
    """Say why ``plan``'s file does not look like an answer sheet, if it does not, and hold
    it back unless it was accepted (status needs-review, no answers reported: none is
    stored). True when it is held back."""
    if plan.review is None:
        return False
    reason = {
        analysis.NO_STRUCTURE: messages.REVIEW_NO_STRUCTURE,
        analysis.NO_QUESTIONS: messages.REVIEW_NO_QUESTIONS,
    }[plan.review]
    if plan.accept_unstructured:
        outcome = messages.REVIEW_ACCEPTED
    else:
        outcome = messages.REVIEW_HELD
    plan.report.warnings.append(messages.NEEDS_REVIEW % {"reason": reason, "outcome": outcome})
    if plan.accept_unstructured:
        return False
    plan.report.status = NEEDS_REVIEW
    plan.report.answers = []
    return True


def _reset(plan: _Plan):
    plan.report.error = None
    plan.report.status = FAILED
    plan.report.submission_id = None
    if plan.sheet is not None:
        plan.report.warnings = list(plan.sheet.warnings)
    plan.candidate_id = None


def _fail(plan: _Plan, message: str):
    plan.report.error = message
    plan.report.status = FAILED
    plan.report.submission_id = None


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _text(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _name_from_path(path: str) -> str:
    pure = PurePath(path)
    stem = pure.stem
    # A repository's README says nothing of its author; the folder usually does.
    if stem.casefold() in {"readme", "answers", "otvety", "ответы", "-", ""} and pure.parent.name:
        stem = pure.parent.name
    return re.sub(r"[_\s]+", " ", stem).strip() or "unknown"
