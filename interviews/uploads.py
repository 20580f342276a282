"""Answer files uploaded through the admin, from the upload to the import.

The admin's "Import answers" takes three requests: upload, preview (a dry run), confirm.
The web server may run them in different processes or on different hosts, so the files
wait in between in ``default_storage`` (MEDIA_ROOT on one host, S3 or the like on
several), never in a process-local temp dir or the session:

    uploads/<token>/0001.upload ...   the answer files' bytes, under numbers (never the
                                      uploader's names, so no name reaches a storage path)
    uploads/<token>/manifest.json     uploader, time, options, names; written last, so a
                                      half-written upload is never loaded

The token travels in a hidden field; :func:`load_pending` checks it against the user.
Uploads are deleted after the import, on cancel, and an hour after they were made by the
next upload to start (:func:`delete_stale`), so that no cron job is needed.

:func:`read_uploads` turns the uploaded files and ``.zip`` archives into answer files and
refuses, with :class:`UploadError`, anything over a limit (see :class:`Limits`), unsafe
member names and damaged archives. Sizes in zip headers are checked before anything is
unpacked, and the bytes are counted again while unpacking: a header may lie.

The import itself is :func:`interviews.importing.import_sources`, the same as the
``import_answers`` command's.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import struct
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import IO, Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from . import importing, sheets
from .models import UploadJob
from .sheets import analysis

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".zip"
# Archives inside archives are not opened: each level would multiply the limits' work.
_NESTED_ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".7z", ".rar")

PENDING_MAX_AGE = timedelta(hours=1)
QUEUED_MAX_AGE = timedelta(days=1)  # a confirmed upload's, waiting for its worker
UPLOADS_DIR = "uploads"
_MANIFEST = "manifest.json"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_OPTION_KEYS = ("questionnaire", "vacancy", "name", "email")

# zipfile reads an archive's whole central directory into ZipInfo objects before the
# members can be counted; its size is checked first so that a small archive cannot
# declare millions of members. 1 KiB an entry is far more than real names need.
_DIRECTORY_BYTES_PER_MEMBER = 1024
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_RECORD_SIGNATURE = b"PK\x06\x06"
_ZIP64_RECORD_SIZE = 56
_DRIVE_LETTER = re.compile(r"[A-Za-z]:")


class UploadError(Exception):
    """The upload is refused; ``str(error)`` is one line for the user, naming the file."""


class UploadedFileLike(Protocol):
    """What Django's UploadedFile offers and :func:`read_uploads` uses."""

    name: str
    size: int

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class Limits:
    max_bytes: int  # one answer file, also inside an archive
    max_files: int  # files chosen in one upload
    max_zip_members: int  # entries of all the archives of one upload together
    max_total_bytes: int  # all answer files of one upload, unpacked
    parse_seconds: float  # parsing the files of one upload, in the preview and again on import
    fetch_seconds: float = 30.0  # downloading the links of one upload

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.ZVONOK_IMPORT_MAX_BYTES,
            max_files=settings.ZVONOK_UPLOAD_MAX_FILES,
            max_zip_members=settings.ZVONOK_UPLOAD_MAX_ZIP_MEMBERS,
            max_total_bytes=settings.ZVONOK_UPLOAD_MAX_TOTAL_BYTES,
            parse_seconds=settings.ZVONOK_UPLOAD_PARSE_SECONDS,
            fetch_seconds=settings.ZVONOK_UPLOAD_FETCH_SECONDS,
        )


@dataclass(frozen=True, slots=True)
class AnswerFile:
    name: str  # as shown to the user and stored as the submission's source name
    data: bytes
    origin: importing.Origin | None = None  # downloaded from a link


@dataclass(slots=True)
class Expansion:
    files: list[AnswerFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per file not imported


@dataclass(frozen=True, slots=True)
class PendingFile:
    name: str
    path: str  # in default_storage
    size: int
    origin: importing.Origin | None = None

    @property
    def key(self) -> str:
        """The file's name in a form (its number in storage): names may repeat."""
        return PurePosixPath(self.path).stem


@dataclass(frozen=True, kw_only=True, slots=True)
class PendingUpload:
    """An upload waiting in storage for its confirmation."""

    token: str
    user_id: int
    created: datetime
    options: dict[str, str | None]  # import_sources options: questionnaire, vacancy, name, email
    files: tuple[PendingFile, ...]
    skipped: tuple[str, ...]

    def sources(
        self, *, max_bytes: int, accepted: frozenset[str] = frozenset()
    ) -> Iterator[importing.SourceFile]:
        """The files read back from storage, one at a time; those whose :attr:`PendingFile.key`
        is in ``accepted`` are imported even if they do not look like answer sheets."""
        for f in self.files:
            try:
                with default_storage.open(f.path, "rb") as fh:
                    # One byte over the limit is enough for the parser to refuse the file.
                    data = fh.read(max_bytes + 1)
            except OSError:
                yield importing.SourceFile(
                    f.name, error=_("the uploaded copy is gone; upload the file again")
                )
            else:
                yield importing.SourceFile(
                    f.name, data, origin=f.origin, accept_unstructured=f.key in accepted
                )


# -- reading uploads -----------------------------------------------------------------------


def read_uploads(*, files: Iterable[UploadedFileLike], limits: Limits) -> Expansion:
    """The answer files in the uploaded files and ``.zip`` archives, in upload order.

    Files of other kinds, nested archives and macOS metadata are listed as skipped. Raises
    :class:`UploadError` for the first file over a limit, an unsafe member name, a damaged
    archive, or an upload without a single answer file.
    """
    files = list(files)
    if len(files) > limits.max_files:
        raise UploadError(
            _("%(count)d files were chosen; at most %(limit)d can be uploaded at once.")
            % {"count": len(files), "limit": limits.max_files}
        )
    reader = _Reader(limits)
    for upload in files:
        name = upload.name or "-"
        if not _is_safe_name(name):
            raise UploadError(_unsafe_name(name))
        suffix = PurePosixPath(name).suffix.lower()
        if suffix == ARCHIVE_SUFFIX:
            reader.add_archive(name, upload)
        elif suffix in importing.ANSWER_SUFFIXES:
            upload.seek(0)
            reader.add_file(name, upload, declared_size=upload.size)
        else:
            reader.expansion.skipped.append(_not_an_answer_file(name))
    if not reader.expansion.files:
        raise UploadError(_("The upload holds no answer files (.md, .markdown or .txt)."))
    return reader.expansion


class _Reader:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.expansion = Expansion()
        self.total = 0  # answer bytes read so far
        self.members = 0  # archive entries seen so far

    def add_file(self, name: str, stream: IO[bytes] | UploadedFileLike, *, declared_size: int):
        limits = self.limits
        if declared_size > limits.max_bytes:
            raise UploadError(_too_big(name, limits.max_bytes))
        if self.total + declared_size > limits.max_total_bytes:
            raise UploadError(_too_much(name, limits.max_total_bytes))
        # The declared size is a claim (a zip header, a client's length): the bytes are
        # counted as they come, and reading stops one byte past the smaller limit.
        cap = min(limits.max_bytes, limits.max_total_bytes - self.total)
        data = stream.read(cap + 1)
        if len(data) > limits.max_bytes:
            raise UploadError(_too_big(name, limits.max_bytes))
        if len(data) > cap:
            raise UploadError(_too_much(name, limits.max_total_bytes))
        self.total += len(data)
        self.expansion.files.append(AnswerFile(name, data))

    def add_archive(self, name: str, upload: UploadedFileLike):
        limits = self.limits
        if upload.size > limits.max_total_bytes:
            raise UploadError(
                _("%(name)s is larger than %(limit)s, the limit for one upload.")
                % {"name": name, "limit": filesizeformat(limits.max_total_bytes)}
            )
        remaining = limits.max_zip_members - self.members
        try:
            if _central_directory_size(upload) > remaining * _DIRECTORY_BYTES_PER_MEMBER:
                raise UploadError(_too_many_members(name, limits.max_zip_members))
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                self._add_members(name, archive)
        except (
            zipfile.BadZipFile,
            zlib.error,
            struct.error,
            EOFError,
            NotImplementedError,
            OSError,
            ValueError,
        ) as exc:
            raise UploadError(
                _("%(name)s is not a zip archive that can be read (%(error)s).")
                % {"name": name, "error": exc}
            ) from exc

    def _add_members(self, name: str, archive: zipfile.ZipFile):
        limits = self.limits
        entries = [info for info in archive.infolist() if not info.is_dir()]
        self.members += len(entries)
        if self.members > limits.max_zip_members:
            raise UploadError(_too_many_members(name, limits.max_zip_members))
        wanted = []
        for info in entries:
            member = _member_name(info)
            shown = f"{name}/{member}"
            if not _is_safe_name(member):
                raise UploadError(_unsafe_name(shown))
            reason = _skip_reason(member, info)
            if reason:
                self.expansion.skipped.append(reason % {"name": shown})
                continue
            if info.file_size > limits.max_bytes:
                raise UploadError(_too_big(shown, limits.max_bytes))
            wanted.append((shown, info))
        # All the sizes the headers declare, before a single byte is unpacked.
        if self.total + sum(info.file_size for _, info in wanted) > limits.max_total_bytes:
            raise UploadError(_too_much(name, limits.max_total_bytes))
        for shown, info in wanted:
            with archive.open(info) as member:
                self.add_file(shown, member, declared_size=info.file_size)


def read_links(links: list[str], *, limits: Limits, already: Expansion) -> Expansion:
    """Download each link into ``already`` (an upload's expansion), within the upload's
    limits: the number of files, the total size, and a time budget for the downloads of
    one request, so that a web worker is never held past its timeout. A link that cannot
    be imported is one sentence in ``skipped``; it never stops the others."""
    from .links import client, sources

    if len(already.files) + len(links) > limits.max_files:
        raise UploadError(
            _("%(count)d files and links were given; at most %(limit)d can be imported at once.")
            % {"count": len(already.files) + len(links), "limit": limits.max_files}
        )
    policy = client.Policy.from_settings(max_bytes=limits.max_bytes)
    deadline = time.monotonic() + limits.fetch_seconds
    total = sum(len(f.data) for f in already.files)
    failed = Expansion()
    for url in links:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            message = _("%(url)s: not downloaded, the time for one upload is spent.")
            failed.skipped.append(message % {"url": url})
            continue
        source = sources.read_link(url, replace(policy, timeout=min(policy.timeout, remaining)))
        if source.error:
            failed.skipped.append(f"{url}: {source.error}")
            continue
        total += len(source.data)
        if total > limits.max_total_bytes:
            raise UploadError(_too_much(url, limits.max_total_bytes))
        already.files.append(AnswerFile(url, source.data, source.origin))
    already.skipped.extend(failed.skipped)
    return failed


def _central_directory_size(fp: UploadedFileLike) -> int:
    """The most bytes of central directory zipfile may read from this file.

    Looks where zipfile looks for the end-of-central-directory record (the last 22 bytes,
    or the last signature within the 64 KiB comment space) and for a zip64 record before
    it, and takes the largest claim.
    """
    fp.seek(0, 2)
    size = fp.tell()
    before = _ZIP64_RECORD_SIZE + _ZIP64_LOCATOR_SIZE
    start = max(size - _EOCD_SIZE - 0xFFFF - before, 0)
    fp.seek(start)
    tail = fp.read(size - start)
    claims = [0]
    for at in {len(tail) - _EOCD_SIZE, tail.rfind(_EOCD_SIGNATURE)}:
        if at < 0 or tail[at : at + 4] != _EOCD_SIGNATURE or len(tail) - at < _EOCD_SIZE:
            continue
        claims.append(struct.unpack_from("<L", tail, at + 12)[0])
        record = at - before
        if (
            record >= 0
            and tail[at - _ZIP64_LOCATOR_SIZE :].startswith(_ZIP64_LOCATOR_SIGNATURE)
            and tail[record:].startswith(_ZIP64_RECORD_SIGNATURE)
        ):
            claims.append(struct.unpack_from("<Q", tail, record + 40)[0])
    return max(claims)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; archivers that do not flag UTF-8 wrote it in UTF-8 anyway or in
    the DOS code page, which for Russian Windows is cp866 (zipfile assumes cp437)."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp866")


def _is_safe_name(name: str) -> bool:
    """A relative path without "..", backslashes or a drive letter: it cannot point
    outside wherever it is unpacked (the names never reach a storage path, but a name that
    tries to is a reason to distrust the whole archive)."""
    if not name or "\\" in name or "\x00" in name:
        return False
    if name.startswith("/") or _DRIVE_LETTER.match(name):
        return False
    return ".." not in name.split("/")


def _skip_reason(member: str, info: zipfile.ZipInfo) -> str | None:
    """A message with a %(name)s placeholder when the member is not imported."""
    path = PurePosixPath(member)
    if path.parts[0] == "__MACOSX" or path.name.startswith("._"):
        return _("%(name)s: skipped, macOS metadata.")
    suffix = path.suffix.lower()
    if suffix in _NESTED_ARCHIVE_SUFFIXES:
        return _("%(name)s: skipped, archives inside an archive are not unpacked.")
    if suffix not in importing.ANSWER_SUFFIXES:
        return _("%(name)s: skipped, only .md, .markdown and .txt files are imported.")
    if info.flag_bits & 0x1:
        return _("%(name)s: skipped, the file is encrypted.")
    return None


def _not_an_answer_file(name: str) -> str:
    return _(
        "%(name)s: skipped, only .md, .markdown and .txt files and .zip archives are read."
    ) % {"name": name}


def _too_big(name: str, limit: int) -> str:
    return _("%(name)s is larger than %(limit)s, the limit for one file.") % {
        "name": name,
        "limit": filesizeformat(limit),
    }


def _too_much(name: str, limit: int) -> str:
    return _("%(name)s brings the upload over %(limit)s unpacked, the limit for one upload.") % {
        "name": name,
        "limit": filesizeformat(limit),
    }


def _too_many_members(name: str, limit: int) -> str:
    return _(
        "%(name)s brings the upload over %(limit)d archive members, the limit for one upload."
    ) % {"name": name, "limit": limit}


def _unsafe_name(name: str) -> str:
    return _(
        "%(name)s: unsafe file name (an absolute path, “..”, a backslash or a drive letter); "
        "the upload is refused."
    ) % {"name": name}


# -- pending uploads in storage ------------------------------------------------------------


def create_pending(
    *,
    user,
    files: Iterable[UploadedFileLike],
    options: dict[str, str | None],
    limits: Limits,
    links: Iterable[str] = (),
    now: datetime | None = None,
) -> PendingUpload:
    """Read the upload (see :func:`read_uploads`), download the links (see
    :func:`read_links`) and keep both in storage for the user.

    ``options`` are import options (questionnaire and vacancy slugs, name, e-mail); a name
    or an e-mail describes one candidate, so it is refused with several answer files.
    Deletes stale uploads first.
    """
    now = now or timezone.now()
    delete_stale(now=now)
    files, links = list(files), list(links)
    expansion = read_uploads(files=files, limits=limits) if files or not links else Expansion()
    if links:
        fetched = read_links(links, limits=limits, already=expansion)
        if not expansion.files:
            raise UploadError(" ".join(fetched.skipped))
    if (options.get("name") or options.get("email")) and len(expansion.files) > 1:
        raise UploadError(
            _(
                "A name or an e-mail describes one candidate, but the upload holds "
                "%(count)d answer files."
            )
            % {"count": len(expansion.files)}
        )
    token = secrets.token_urlsafe(24)
    folder = f"{UPLOADS_DIR}/{token}"
    stored = []
    try:
        for number, f in enumerate(expansion.files, start=1):
            path = default_storage.save(f"{folder}/{number:04d}.upload", ContentFile(f.data))
            stored.append(PendingFile(f.name, path, len(f.data), f.origin))
        pending = PendingUpload(
            token=token,
            user_id=user.pk,
            created=now,
            options={key: options.get(key) or None for key in _OPTION_KEYS},
            files=tuple(stored),
            skipped=tuple(expansion.skipped),
        )
        _save_manifest(pending)
    except BaseException:
        _delete_folder(token)
        raise
    logger.info("upload %s: %d files kept for user %s", token, len(stored), user.pk)
    return pending


def load_pending(
    *,
    token: str,
    user,
    now: datetime | None = None,
    max_age: timedelta | None = PENDING_MAX_AGE,
) -> PendingUpload:
    """The user's pending upload; :class:`UploadError` when there is none under the token
    (malformed, unknown, another user's: one answer, which confirms nothing) or it expired.
    ``max_age=None``: no expiry (a confirmed upload waiting in the task queue)."""
    not_found = UploadError(
        _("This upload was not found, or it has expired. Please upload the files again.")
    )
    if not _TOKEN.fullmatch(token or ""):
        raise not_found
    manifest = _read_manifest(token)
    if manifest is None:
        raise not_found
    try:
        pending = PendingUpload(
            token=token,
            user_id=manifest["user"],
            created=datetime.fromisoformat(manifest["created"]),
            options={key: manifest["options"].get(key) for key in _OPTION_KEYS},
            files=tuple(
                PendingFile(
                    f["name"],
                    f["path"],
                    f["size"],
                    importing.Origin(**f["origin"]) if f.get("origin") else None,
                )
                for f in manifest["files"]
                if f["path"].startswith(f"{UPLOADS_DIR}/{token}/")
            ),
            skipped=tuple(manifest["skipped"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise not_found from exc
    if pending.user_id != user.pk:
        logger.warning("upload %s: user %s is not its uploader", token, user.pk)
        raise not_found
    if max_age is not None and pending.created < (now or timezone.now()) - max_age:
        _delete_folder(token)
        raise UploadError(
            _("This upload has expired: uploads are kept for an hour. Please upload again.")
        )
    return pending


class ParseBudget:
    """The parse time one request may spend on an upload's files.

    A web worker is killed past its timeout (60 s in bin/start), and a file may take a
    second or two to parse however hostile it is (interviews.sheets caps its structure),
    so an upload of many such files could outlast it. Once parsing has taken ``seconds``,
    the files left are not parsed: each is refused with :attr:`message`. The first file is
    always parsed, so that every upload gets somewhere.
    """

    def __init__(self, *, seconds: float, max_bytes: int):
        self.seconds = seconds
        self.max_bytes = max_bytes
        self.spent = 0.0
        self.parsed = 0
        self.message = _(
            "Not read: reading this upload's files took its %(seconds)s seconds before "
            "this one. Upload this file again with fewer others."
        ) % {"seconds": f"{seconds:g}"}

    def analyse(self, data: bytes) -> analysis.Analysis | sheets.SheetError:
        if self.parsed and self.spent >= self.seconds:
            return sheets.SheetError(self.message)
        start = time.perf_counter()
        try:
            return analysis.analyse_bytes(data, max_bytes=self.max_bytes)
        finally:
            self.parsed += 1
            self.spent += time.perf_counter() - start


def import_pending(
    *,
    pending: PendingUpload,
    dry_run: bool,
    limits: Limits,
    imported_by=None,
    budget: ParseBudget | None = None,
    accepted: Iterable[str] = (),
    progress: Callable[[int], None] | None = None,
    batch_size: int = 500,
) -> importing.ImportReport:
    """Import the pending upload's files (or only pretend to, ``dry_run``), parsing them
    within ``limits.parse_seconds`` (see :class:`ParseBudget`). ``accepted``: the keys of
    the files ticked to import although they do not look like answer sheets; ``progress``
    and ``batch_size``: see :func:`interviews.importing.import_sources`."""
    if budget is None:
        budget = ParseBudget(seconds=limits.parse_seconds, max_bytes=limits.max_bytes)
    return importing.import_sources(
        pending.sources(max_bytes=limits.max_bytes, accepted=frozenset(accepted)),
        dry_run=dry_run,
        imported_by=imported_by,
        max_bytes=limits.max_bytes,
        # At most a few hundred files: worker processes would cost a web request more
        # than they save.
        workers=1,
        analyse=budget.analyse,
        progress=progress,
        batch_size=batch_size,
        **pending.options,
    )


def preview_pending(
    *, pending: PendingUpload, limits: Limits
) -> tuple[PendingUpload, importing.ImportReport]:
    """The dry run of a pending upload, and the upload without the files it had no time
    to read: those are refused in the report and deleted, so that confirming imports the
    files the preview showed."""
    budget = ParseBudget(seconds=limits.parse_seconds, max_bytes=limits.max_bytes)
    report = import_pending(pending=pending, dry_run=True, limits=limits, budget=budget)
    # The report lists the files in the upload's order.
    unread = [
        f for f, r in zip(pending.files, report.files, strict=True) if r.error == budget.message
    ]
    if unread:
        pending = _without(pending, unread)
    return pending, report


def delete_pending(*, pending: PendingUpload) -> None:
    _delete_folder(pending.token)


def _save_manifest(pending: PendingUpload) -> None:
    manifest = {
        "user": pending.user_id,
        "created": pending.created.isoformat(),
        "options": pending.options,
        "files": [
            {
                "name": f.name,
                "path": f.path,
                "size": f.size,
                "origin": asdict(f.origin) if f.origin else None,
            }
            for f in pending.files
        ],
        "skipped": list(pending.skipped),
    }
    default_storage.save(
        f"{UPLOADS_DIR}/{pending.token}/{_MANIFEST}",
        ContentFile(json.dumps(manifest, ensure_ascii=False)),
    )


def _without(pending: PendingUpload, files: list[PendingFile]) -> PendingUpload:
    """The pending upload without ``files``, in storage too."""
    kept = replace(pending, files=tuple(f for f in pending.files if f not in files))
    # Storage does not overwrite: the old manifest goes first. Until the new one is
    # written, delete_stale dates the folder by its files, which are recent.
    default_storage.delete(f"{UPLOADS_DIR}/{pending.token}/{_MANIFEST}")
    _save_manifest(kept)
    for f in files:
        default_storage.delete(f.path)
    return kept


def delete_stale(*, now: datetime | None = None, max_age: timedelta = PENDING_MAX_AGE) -> int:
    """Delete the uploads older than ``max_age``; return how many."""
    now = now or timezone.now()
    cutoff = now - max_age
    try:
        folders, _files = default_storage.listdir(UPLOADS_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    # A confirmed upload waits for its worker as long as a queue that works takes; a job
    # still queued or running after QUEUED_MAX_AGE lost its worker, and fails once one
    # comes and finds its files gone.
    queued = set(
        UploadJob.objects.exclude(status__in=[UploadJob.Status.DONE, UploadJob.Status.FAILED])
        .filter(token__in=folders, created_at__gte=now - QUEUED_MAX_AGE)
        .values_list("token", flat=True)
    )
    deleted = 0
    for token in folders:
        if not _TOKEN.fullmatch(token) or token in queued:
            continue  # not ours, or not stale
        created = _created(token)
        if created is not None and created < cutoff:
            _delete_folder(token)
            deleted += 1
    if deleted:
        logger.info("deleted %d stale uploads", deleted)
    return deleted


def _read_manifest(token: str) -> dict | None:
    try:
        with default_storage.open(f"{UPLOADS_DIR}/{token}/{_MANIFEST}", "rb") as fh:
            manifest = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _created(token: str) -> datetime | None:
    """When the upload was made: its manifest says; without one (the upload is being
    written, or its writer died), the newest of its files' times. None if unknown."""
    manifest = _read_manifest(token)
    try:
        return datetime.fromisoformat(manifest["created"])
    except (TypeError, KeyError, ValueError):
        pass
    folder = f"{UPLOADS_DIR}/{token}"
    try:
        _dirs, names = default_storage.listdir(folder)
        paths = [f"{folder}/{name}" for name in names] or [folder]
        return max(default_storage.get_modified_time(path) for path in paths)
    except (OSError, NotImplementedError):
        return None


def _delete_folder(token: str) -> None:
    folder = f"{UPLOADS_DIR}/{token}"
    try:
        _dirs, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    # The manifest last: until it goes, delete_stale can still date the folder.
    for name in sorted(names, key=lambda n: n == _MANIFEST):
        default_storage.delete(f"{folder}/{name}")
    try:
        default_storage.delete(folder)  # the directory itself (a no-op on object stores)
    except OSError:
        logger.warning("upload %s: folder not removed", token, exc_info=True)
