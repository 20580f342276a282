"""The vacancies' public links, where candidates hand in their answers themselves.

A vacancy's link is ``/apply/<token>/``: the token is the only secret, random and long
enough that links cannot be guessed or counted through. HR turns a link on, replaces it
(the old link then leads nowhere, for a link that went where it should not) and turns it
off; a closing date, the vacancy being closed, or the link being off all make the page
say it is closed.

What a candidate hands in (a repository link, a file or pasted text) is read with the
admin upload's limits (interviews.uploads), kept as an :class:`ApplyRequest` and shown as
the importer's dry run sees it: each question with the answer found for it. Sending
e-mails the address a confirmation link; only confirming (a POST from the page that link
opens) imports the sheet, with the vacancy, name and e-mail given, so that nobody adds a
sheet to someone else's record. The page says the same whatever the address. The browser
holds only the draft's random token, the e-mail only the confirmation's; the rows keep
their hashes, and the sheet itself never travels back through a form.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import importing, uploads
from .models import ApplyRequest, Candidate, ConsentMethod, LegalBasis, Vacancy

logger = logging.getLogger(__name__)

# A draft waits for its "send" this long, a confirmation link for its click.
DRAFT_MAX_AGE = timedelta(hours=1)
CONFIRM_MAX_AGE = timedelta(days=2)
CONFIRM_HOURS = int(CONFIRM_MAX_AGE.total_seconds() // 3600)
PASTED_NAME = "answers.md"
# Stored on the candidate in the installation's language, as people type sources.
SOURCE = gettext_noop("apply page")
CONSENT_TEXT = gettext_noop(
    "I agree to the processing of my personal data given in this form for considering "
    "my application for this vacancy."
)


class ApplyError(Exception):
    """What the candidate handed in is refused; ``str(error)`` is one sentence for them."""


# 32 random bytes: 43 URL-safe characters, beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def turn_on(vacancies) -> int:
    """Give each vacancy without a link one; a link already on is kept. Returns how many
    got a new link."""
    return _new_tokens(vacancies.filter(apply_token=""))


def rotate(vacancies) -> int:
    """Replace the link of each vacancy that has one: the old one stops working."""
    return _new_tokens(vacancies.exclude(apply_token=""))


def _new_tokens(vacancies) -> int:
    # Each vacancy gets a token of its own, so one UPDATE for all cannot do.
    count = 0
    for vacancy in vacancies:
        vacancy.apply_token = new_token()
        vacancy.save(update_fields=["apply_token"])
        count += 1
    return count


def turn_off(vacancies) -> int:
    return vacancies.exclude(apply_token="").update(apply_token="")


def find(token: str) -> Vacancy | None:
    """The vacancy a link leads to, open or closed; None for a token no vacancy has."""
    if not token:
        return None
    return Vacancy.objects.select_related("questionnaire").filter(apply_token=token).first()


def is_open(vacancy: Vacancy, now=None) -> bool:
    """Whether the vacancy's link takes answers now."""
    if not vacancy.apply_token or not vacancy.is_open:
        return False
    closes_at = vacancy.apply_closes_at
    return closes_at is None or (now or timezone.now()) < closes_at


def link(vacancy: Vacancy) -> str:
    """The link's full address, as it goes to candidates; empty while it is off."""
    if not vacancy.apply_token:
        return ""
    path = reverse("apply", args=[vacancy.apply_token])
    return settings.ZVONOK_BASE_URL.rstrip("/") + path


def questions(vacancy: Vacancy):
    """The questions the vacancy's questionnaire asks, in order; none without one."""
    if vacancy.questionnaire_id is None:
        return []
    return list(vacancy.questionnaire.questions.order_by("position", "id"))


def within_rate_limit(address: str | None) -> bool:
    """Count one post from ``address`` (the client address as login lockout takes it,
    interviews.middleware.client_ip); False once it made more than
    ZVONOK_APPLY_RATE_LIMIT in the current ZVONOK_APPLY_RATE_WINDOW seconds.

    Counted in the cache all web processes share (settings.CACHES), in windows that start
    with an address's first post. The database cache's increment is a read and a write:
    two posts at the same moment may count once, which a limit of this kind can bear."""
    key = "apply-posts:" + hashlib.sha256((address or "").encode()).hexdigest()
    window = settings.ZVONOK_APPLY_RATE_WINDOW
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=window)
            count = 1
    return count <= settings.ZVONOK_APPLY_RATE_LIMIT


def consent_text() -> str:
    return settings.ZVONOK_APPLY_CONSENT_TEXT or _(CONSENT_TEXT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- what the candidate hands in ---------------------------------------------------------


def read_answers(
    *, link: str = "", upload=None, text: str = "", limits: uploads.Limits
) -> uploads.AnswerFile:
    """The one answer file a candidate gives: a link downloaded as the admin's upload
    downloads links, one uploaded .md/.markdown/.txt file, or pasted text; all within the
    uploads' limits."""
    given = [bool(link), upload is not None, bool(text.strip())]
    if given.count(True) != 1:
        raise ApplyError(_("Give your answers one way: a link, a file or the text."))
    if text.strip():
        data = text.encode()
        if len(data) > limits.max_bytes:
            raise ApplyError(
                _("The text is longer than the %(limit)s one sheet may take.")
                % {"limit": _size(limits.max_bytes)}
            )
        return uploads.AnswerFile(PASTED_NAME, data)
    one = replace(limits, max_files=1)
    try:
        if upload is not None:
            if PurePosixPath(upload.name or "").suffix.lower() not in importing.ANSWER_SUFFIXES:
                raise ApplyError(_("Choose a .md, .markdown or .txt file."))
            return uploads.read_uploads(files=[upload], limits=one).files[0]
        expansion = uploads.Expansion()
        failed = uploads.read_links([link], limits=one, already=expansion)
    except uploads.UploadError as exc:
        raise ApplyError(str(exc)) from exc
    if not expansion.files:
        raise ApplyError(" ".join(failed.skipped))
    return expansion.files[0]


def _size(limit: int) -> str:
    from django.template.defaultfilters import filesizeformat

    return filesizeformat(limit)


def create_draft(
    *, vacancy: Vacancy, person: dict, answers: uploads.AnswerFile, now=None
) -> tuple[str, ApplyRequest]:
    """Keep what the candidate handed in until they send it; returns the draft's token
    (for their browser) and the row. ``person``: full_name, email, phone, telegram."""
    now = now or timezone.now()
    delete_stale(now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    origin = answers.origin
    row = ApplyRequest.objects.create(
        vacancy=vacancy,
        draft_hash=_hash(token),
        full_name=person["full_name"],
        email=person["email"],
        phone=person.get("phone") or "",
        telegram=person.get("telegram") or "",
        source_name=answers.name[:1000],
        origin=(
            {
                "url": origin.url,
                "raw_url": origin.raw_url,
                "etag": origin.etag,
                "commit": origin.commit,
            }
            if origin
            else {}
        ),
        data=answers.data,
        consent_at=now,
        created_at=now,
        expires_at=now + DRAFT_MAX_AGE,
    )
    return token, row


def find_draft(vacancy: Vacancy, token: str, now=None) -> ApplyRequest | None:
    """The vacancy's draft under ``token``, not yet sent and not expired."""
    if not token:
        return None
    return ApplyRequest.objects.filter(
        vacancy=vacancy,
        draft_hash=_hash(token),
        confirm_hash="",
        expires_at__gt=now or timezone.now(),
    ).first()


def delete_stale(now=None) -> int:
    """Drafts and confirmations past their time go, with the sheets and contacts in them."""
    deleted, _by_model = ApplyRequest.objects.filter(
        expires_at__lte=now or timezone.now(), confirmed_at__isnull=True
    ).delete()
    return deleted


def _source(row: ApplyRequest, *, accept: bool) -> importing.SourceFile:
    origin = importing.Origin(**row.origin) if row.origin else None
    return importing.SourceFile(
        row.source_name, bytes(row.data), origin=origin, accept_unstructured=accept
    )


def _import(row: ApplyRequest, *, dry_run: bool, limits: uploads.Limits):
    vacancy = row.vacancy
    budget = uploads.ParseBudget(seconds=limits.parse_seconds, max_bytes=limits.max_bytes)
    report = importing.import_sources(
        # The preview holds a sheet without structure back, to say so; sending takes it,
        # marked as needing review.
        [_source(row, accept=not dry_run)],
        dry_run=dry_run,
        max_bytes=limits.max_bytes,
        workers=1,
        analyse=budget.analyse,
        questionnaire=vacancy.questionnaire.slug if vacancy.questionnaire_id else None,
        vacancy=vacancy.slug,
        name=row.full_name,
        email=row.email,
    )
    return report.files[0]


@dataclass(frozen=True)
class Found:
    number: str
    question: str
    label: str = ""  # the sheet's heading for it; empty: no answer found
    line: int = 0
    excerpt: str = ""


@dataclass(frozen=True)
class Preview:
    error: str | None  # the sheet cannot be read at all (it cannot be sent)
    questions: list[Found]  # the questionnaire's questions, each with its answer or none
    unmatched: list[Found]  # parts of the sheet that answer no question
    needs_review: bool  # no question structure found: it may be sent, HR reads it whole

    @property
    def missing(self):
        return [q for q in self.questions if not q.label]


def preview(row: ApplyRequest, *, limits: uploads.Limits) -> Preview:
    """How the importer understands the sheet: the same parse and matching as the admin
    upload's preview (a dry run of interviews.importing)."""
    from . import messages

    report = _import(row, dry_run=True, limits=limits)
    if report.status == importing.FAILED:
        return Preview(messages.translate(report.error or ""), [], [], False)
    lines = _decoded_lines(bytes(row.data), report.encoding)
    starts = sorted(a.line for a in report.answers)
    found: dict[str, Found] = {}
    unmatched = []
    for answer in report.answers:
        item = Found(
            answer.matched_question or answer.number,
            answer.question_text,
            answer.label,
            answer.line,
            _excerpt(lines, answer.line, starts),
        )
        if answer.matched_question and answer.matched_question not in found:
            found[answer.matched_question] = item
        else:
            unmatched.append(item)
    asked = [found.get(q.number) or Found(q.number, q.text) for q in questions(row.vacancy)]
    return Preview(None, asked, unmatched, report.status == importing.NEEDS_REVIEW)


def _decoded_lines(data: bytes, encoding: str) -> list[str]:
    try:
        return data.decode(encoding or "utf-8", errors="replace").splitlines()
    except LookupError:
        return data.decode("utf-8", errors="replace").splitlines()


EXCERPT_CHARS = 300


def _excerpt(lines: list[str], line: int, starts: list[int]) -> str:
    """The answer's first words: the lines after its heading, up to the next part."""
    following = [s for s in starts if s > line]
    end = following[0] - 1 if following else len(lines)
    text = " ".join(" ".join(lines[line:end]).split())
    return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")


# -- sending and confirming --------------------------------------------------------------


def send(row: ApplyRequest, *, now=None) -> None:
    """Mail the draft's address a link that confirms it; the draft's token stops working."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row.confirm_hash = _hash(token)
    row.expires_at = now + CONFIRM_MAX_AGE
    row.save(update_fields=["confirm_hash", "expires_at"])
    url = settings.ZVONOK_BASE_URL.rstrip("/") + reverse("apply_confirm", args=[token])
    subject = _("Confirm your answers for “%(vacancy)s”") % {"vacancy": row.vacancy.title}
    body = render_to_string(
        "interviews/email/apply_confirm.txt",
        {"name": row.full_name, "vacancy": row.vacancy.title, "url": url, "hours": CONFIRM_HOURS},
    )
    EmailMessage(subject=subject, body=body, to=[row.email]).send()


def find_confirmation(token: str, now=None) -> ApplyRequest | None:
    if not token:
        return None
    return (
        ApplyRequest.objects.select_related("vacancy__questionnaire", "vacancy__owner")
        .filter(
            confirm_hash=_hash(token),
            confirmed_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )
        .first()
    )


def confirm(token: str, *, limits: uploads.Limits, now=None) -> importing.FileReport | None:
    """Import the sheet under the confirmation ``token``: the candidate (found by the
    e-mail, or new) with their consent, the application at the first stage, the sheet as
    a new revision. None when the link is unknown, used or expired."""
    now = now or timezone.now()
    with transaction.atomic():
        row = find_confirmation(token, now)
        if row is None:
            return None
        # Two clicks at once import once.
        row = ApplyRequest.objects.select_for_update().filter(pk=row.pk, confirmed_at=None).first()
        if row is None:
            return None
        report = _import(row, dry_run=False, limits=limits)
        if report.status == importing.FAILED:
            logger.warning("apply request %s: import failed: %s", row.pk, report.error)
            return report
        candidate = Candidate.objects.get(submissions__id=report.submission_id)
        _record_consent(candidate, row)
        row.confirmed_at = now
        row.submission_id = report.submission_id
        # The sheet is in the submission now; the row keeps only that it was handed in.
        row.data = b""
        row.save(update_fields=["confirmed_at", "submission", "data"])
    _notify_owner(row, report)
    return report


def _record_consent(candidate: Candidate, row: ApplyRequest) -> None:
    candidate.consent_at = row.consent_at
    candidate.consent_method = ConsentMethod.FORM
    candidate.legal_basis = LegalBasis.CONSENT
    if not candidate.source:
        with translation.override(settings.LANGUAGE_CODE):
            candidate.source = _(SOURCE)
    candidate.phone = candidate.phone or row.phone
    candidate.telegram = candidate.telegram or row.telegram
    candidate.save()


def _notify_owner(row: ApplyRequest, report: importing.FileReport) -> None:
    owner = row.vacancy.owner
    if owner is None or not owner.email:
        return
    url = settings.ZVONOK_BASE_URL.rstrip("/") + reverse(
        "admin:interviews_submission_change", args=[report.submission_id]
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New answers for “%(vacancy)s”: %(name)s") % {
            "vacancy": row.vacancy.title,
            "name": row.full_name,
        }
        body = render_to_string(
            "interviews/email/apply_notify.txt",
            {"name": row.full_name, "vacancy": row.vacancy.title, "url": url},
        )
    try:
        EmailMessage(subject=subject, body=body, to=[owner.email]).send()
    except Exception:
        # The sheet is in; a mail server that is down must not make its sender think not.
        logger.exception("apply request %s: the owner's notification was not sent", row.pk)
