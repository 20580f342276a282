"""How the management commands name a candidate: by id ("42") or by e-mail, in any case
(the same address in another case is the same person). One resolver for every command,
so that each accepts the same forms."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from interviews.models import Candidate


def find_candidate(reference: str) -> Candidate:
    """The candidate ``reference`` names, or a CommandError saying none does."""
    reference = str(reference).strip()
    if reference.isascii() and reference.isdigit():
        found = Candidate.objects.filter(pk=int(reference)).first()
        if found is None:
            raise CommandError(_("no candidate with id %(id)s") % {"id": reference})
        return found
    found = Candidate.objects.filter(email__iexact=reference).first() if reference else None
    if found is None:
        raise CommandError(
            _("no candidate with id or e-mail %(reference)r") % {"reference": reference}
        )
    return found


def find_candidates(references) -> list[Candidate]:
    """Every candidate ``references`` name, each once; one error naming all the unknown."""
    found, unknown = {}, []
    for reference in references:
        try:
            candidate = find_candidate(reference)
        except CommandError as exc:
            unknown.append(str(exc))
        else:
            found[candidate.pk] = candidate
    if unknown:
        raise CommandError("; ".join(unknown))
    return list(found.values())
