"""What the admin modules share: the base classes of every ModelAdmin and inline, which
keep each page to the same few queries whatever the number of rows on it, and small
helpers.

Where the queries go when nobody looks: naming a row (``__str__``) reads its related rows,
and so does each autocomplete or raw-id widget labelling the row it has selected, once per
form of an inline. Here the related rows are joined to the query that loads the object
(``str_select_related``, ``object_select_related``), and the widgets take them from the
form's instance instead of asking again.
"""

import functools
import re
from urllib.parse import parse_qsl

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import build_q_object_from_lookup_parameters, unquote
from django.contrib.admin.views import main
from django.contrib.admin.widgets import (
    AutocompleteMixin,
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
)
from django.contrib.auth import get_user_model
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import DatabaseError, NotSupportedError, connections, transaction
from django.db.models import F, OrderBy
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from .. import roles
from ..models import Application
from ..rendering import truncate
from . import pagination

# Column heading of django-simple-history's history page, missing from its Russian
# catalogue: marked here so that makemessages keeps it in ours (LOCALE_PATHS comes first).
gettext_noop("Changes")


def short(text, length=80):
    """One line of at most ``length`` characters, cut on a word, for changelist columns."""
    return truncate(" ".join((text or "").split()), length)


# -- choices: the rows the user may see ------------------------------------------------------
#
# Every foreign-key and many-to-many field of every form here offers, labels and accepts
# only the rows the related model's own ModelAdmin shows the user (its get_queryset:
# interviewers' applications, blind feedback, ...); user fields offer active staff. The
# form field checks a posted id against the same queryset, so a row out of sight is
# refused on save too.


def visible_choices(admin_site, request, model, using=None):
    """The rows of ``model`` a form may offer ``request.user``; None for a model the admin
    does not show (Django's default then: every row)."""
    if model is get_user_model():
        return roles.assignable_users().using(using)
    try:
        model_admin = admin_site.get_model_admin(model)
    except NotRegistered:
        return None
    return model_admin.get_queryset(request).using(using)


class VisibleChoicesForm(forms.ModelForm):
    """Keeps a user field's current user among its choices when they are no longer active
    staff, so that an object named after someone who has left can still be saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            if field.queryset.model is not get_user_model():
                continue
            held = getattr(self.instance, name, None)
            held = list(held.all()) if hasattr(held, "all") else [held] if held else []
            gone = [user.pk for user in held if not (user.is_active and user.is_staff)]
            if gone:
                # This row's own choices, not the inline's list read once for all rows.
                field.__dict__.pop("_choices", None)
                field.queryset = field.queryset | field.queryset.model._default_manager.filter(
                    pk__in=gone
                )


class VisibleChoicesMixin:
    def get_field_queryset(self, db, db_field, request):
        return visible_choices(self.admin_site, request, db_field.remote_field.model, db)

    def get_changeform_initial_data(self, request):
        # ?application=<id> fills the add form in: only with rows the user may see.
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not (field.concrete and (field.many_to_one or field.many_to_many)):
                continue
            queryset = self.get_field_queryset(None, field, request)
            if queryset is None:
                continue
            keys = {str(key) for key in (value if isinstance(value, list) else [value])}
            key = field.target_field.attname if field.many_to_one else "pk"
            try:
                found = {
                    str(k)
                    for k in queryset.filter(**{f"{key}__in": keys}).values_list(key, flat=True)
                }
            except (ValueError, ValidationError):
                found = set()
            if found != keys:
                del initial[name]
        return initial


# -- widgets that label the selected rows from the form's instance ------------------------


class _InstanceRelated:
    """Set by InstanceLabelsForm: the instance whose related objects are shown."""

    instance = None

    @property
    def model_field(self):
        return self.field if isinstance(self, AutocompleteMixin) else self.rel.field

    def key_of(self, obj):
        field = self.model_field
        if field.many_to_many:
            return obj.pk
        return getattr(obj, field.target_field.attname)

    def objects_held(self, keys):
        """The instance's related objects when they are exactly those selected (``keys``,
        as the widget has them), else None. Reading them may fetch and cache them on the
        instance, where the page title and other widgets find them again."""
        keys = {str(key) for key in keys if key not in forms.Field.empty_values}
        field, instance = self.model_field, self.instance
        if instance is None or not keys:
            return None
        try:
            if field.many_to_many:
                if instance.pk is None:
                    return None
                objects = list(getattr(instance, field.name).all())
            else:
                related = getattr(instance, field.name)
                objects = [] if related is None else [related]
        except ObjectDoesNotExist:
            return None
        if {str(self.key_of(obj)) for obj in objects} != keys:
            return None
        return objects


class InstanceAutocompleteMixin(_InstanceRelated):
    def optgroups(self, name, value, attr=None):
        objects = self.objects_held(value)
        if objects is None:
            return super().optgroups(name, value, attr)
        # The selected options only, as AutocompleteMixin renders them.
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for obj in objects:
            label = self.choices.field.label_from_instance(obj)
            options.append(self.create_option(name, self.key_of(obj), label, True, len(options)))
        return [(None, options, 0)]


class InstanceAutocompleteSelect(InstanceAutocompleteMixin, AutocompleteSelect):
    pass


class InstanceAutocompleteSelectMultiple(InstanceAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class InstanceRawIdWidget(_InstanceRelated, ForeignKeyRawIdWidget):
    def label_and_url_for_value(self, value):
        objects = self.objects_held([value])
        if not objects:
            objects = self.choices_held(value)
        if not objects:
            return "", ""
        obj = objects[0]
        opts = obj._meta
        try:
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
            )
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url

    def choices_held(self, value):
        """The row ``value`` names, looked up among the field's choices only: an id typed
        in or posted is not named unless the user may see its row."""
        key = self.rel.get_related_field().name
        try:
            return list(self.choices.queryset.using(self.db).filter(**{key: value})[:1])
        except (ValueError, ValidationError):
            return []


class InstanceLabelsForm(VisibleChoicesForm):
    """The form of every ModelAdmin and inline here: hands the instance to the widgets
    above. A ModelAdmin's own form should extend it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = getattr(field.widget, "widget", field.widget)  # RelatedFieldWidgetWrapper
            if isinstance(widget, _InstanceRelated):
                widget.instance = self.instance


class RejectionReasonRule:
    """The rule of ``Application.check_rejection_reason`` on a form that moves an
    application: asked only when the stage changes (or on a new application), so that an
    application rejected by an import without a reason can still be edited."""

    def clean(self):
        cleaned = super().clean()
        moving = self.instance.pk is None or "stage" in self.changed_data
        if moving and "stage" in cleaned:
            try:
                Application.check_rejection_reason(
                    cleaned["stage"], cleaned.get("rejection_reason")
                )
            except ValidationError as exc:
                self.add_error("rejection_reason", exc)
        return cleaned


class InstanceLabelsMixin:
    form = InstanceLabelsForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs:
            using = kwargs.get("using")
            if db_field.name in self.get_autocomplete_fields(request):
                kwargs["widget"] = InstanceAutocompleteSelect(
                    db_field, self.admin_site, using=using
                )
            elif db_field.name in self.raw_id_fields:
                kwargs["widget"] = InstanceRawIdWidget(
                    db_field.remote_field, self.admin_site, using=using
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = InstanceAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# -- fields a role may not read ---------------------------------------------------------


class ReadableFieldsMixin:
    """Fields that a role may not read (``roles.unreadable_fields``: candidates' contacts,
    a sheet's original text and warnings) stay off that role's pages (forms, columns,
    filters, searches) and out of its query strings: a filter, an ordering or a search
    on such a field would tell its value one guess at a time."""

    def get_fields(self, request, obj=None):
        return _readable(request, self.model, super().get_fields(request, obj))

    def get_list_display(self, request):
        return _readable(request, self.model, super().get_list_display(request))

    def get_list_filter(self, request):
        return _readable(request, self.model, super().get_list_filter(request))

    def get_search_fields(self, request):
        return _readable(request, self.model, super().get_search_fields(request))

    def get_ordering(self, request):
        # Where the list, the autocomplete and every other page take their rows from.
        return readable_ordering(request, self.model, super().get_ordering(request))

    def lookup_allowed(self, lookup, value, request=None):
        # Refused, the list answers 400 (DisallowedModelAdminLookup).
        if request is None:
            return super().lookup_allowed(lookup, value, request)
        if not roles.may_read(request.user, self.model, lookup):
            return False
        if roles.leads_to_contacts(self.model, lookup):
            # Django allows lookups through relations only for the list's own filters;
            # the contacts of a row's own candidate are no secret to who may read them.
            return True
        return super().lookup_allowed(lookup, value, request)


def readable_ordering(request, model, ordering):
    """``ordering`` without what reads a field the user may not read: a column may sort
    by one (``admin_order_field``), and the order of the rows would tell it."""

    def path(part):
        if isinstance(part, str):
            return part.lstrip("-")
        if isinstance(part, OrderBy):
            part = part.expression
        return part.name if isinstance(part, F) else ""

    return [part for part in ordering if roles.may_read(request.user, model, path(part))]


def _readable(request, model, names):
    """``names`` (of fields, columns, filters, search fields; tuples of them) without
    those that read a field the user may not read."""

    def readable(name):
        if isinstance(name, list | tuple):
            return all(readable(part) for part in name)
        if not isinstance(name, str):
            # A list filter of its own tells which fields it reads (``fields_read``).
            return all(readable(field) for field in getattr(name, "fields_read", ()))
        # "^name", "=name", "@name": search fields with their kind of match.
        return roles.may_read(request.user, model, name.lstrip("^=@"))

    return [name for name in names if readable(name)]


# -- query strings the database cannot run ---------------------------------------------


class RunnableLookupsMixin:
    """A list's query string that the database would fail on answers 400, not a server
    error (``check_runnable``, called by the lists' ChangeList); so does a search term
    with a NUL character."""

    def get_search_results(self, request, queryset, search_term):
        # The list's search form refuses NUL already; the autocomplete's term does not.
        if "\x00" in search_term:
            raise BadRequest("A NUL character in a search.")
        return super().get_search_results(request, queryset, search_term)


def check_runnable(model, lookup, value):
    """Raise BadRequest (400) for a lookup from a query string that the database would fail
    on: a NUL character (PostgreSQL's text cannot hold one), a lookup it lacks (JSON
    containment on SQLite), a regular expression it cannot compile. Other bad values stay
    Django's to handle: the list goes back to its unfiltered self."""
    if "\x00" in value:
        raise BadRequest(f"A NUL character in {lookup}.")
    try:
        queryset = model._default_manager.filter(
            build_q_object_from_lookup_parameters({lookup: [value]})
        )
        queryset.query.get_compiler(queryset.db).as_sql()
    except NotSupportedError as exc:
        raise BadRequest(f"{lookup}: {exc}") from exc
    except Exception:
        # Not a field of the model (a list filter's own parameter, an annotation), or a
        # value of the wrong type: the list itself reports those.
        return
    kind = lookup.rsplit(LOOKUP_SEP, 1)[-1]
    if kind in ("regex", "iregex") and not _pattern_compiles(
        value, queryset.db, ignore_case=kind == "iregex"
    ):
        raise BadRequest(f"{lookup}: not a regular expression the database can compile.")


def _pattern_compiles(pattern, using, *, ignore_case):
    connection = connections[using]
    if connection.vendor != "postgresql":
        # SQLite's REGEXP is Django's function over Python's re, "(?i)" first for iregex.
        try:
            re.compile(("(?i)" if ignore_case else "") + pattern)
        except re.error:
            return False
        return True
    try:
        # In a savepoint: a failed statement would abort the request's transaction.
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DatabaseError:
        return False
    return True


# -- inlines ------------------------------------------------------------------------------


class _InlineMixin(VisibleChoicesMixin, InstanceLabelsMixin):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(formfield, forms.ModelChoiceField) and not isinstance(
            widget, AutocompleteMixin | ForeignKeyRawIdWidget
        ):
            # A select lists its choices on every form of the formset: read them once.
            # The forms copy the field, and with it this one cached callable.
            # (Iterated, not list()ed: list() would ask for len(), a COUNT query.)
            choices = formfield.choices
            formfield.choices = functools.cache(lambda: [*iter(choices)])
        return formfield


class TabularInline(ReadableFieldsMixin, _InlineMixin, admin.TabularInline):
    pass


class StackedInline(ReadableFieldsMixin, _InlineMixin, admin.StackedInline):
    pass


# -- ModelAdmins ----------------------------------------------------------------------------


class _ObjectPagesMixin(VisibleChoicesMixin, InstanceLabelsMixin):
    # Related rows the model's __str__ reads: joined to every query of this admin, so that
    # naming a row costs nothing on the list, the object's pages, its history and in
    # autocomplete results.
    str_select_related = ()
    # Related rows that only the object's own pages show (autocomplete and raw-id labels,
    # read-only fields): joined, or prefetched for many-to-many fields, when one object is
    # loaded for its change, delete or history pages.
    object_select_related = ()
    object_prefetch_related = ()

    # Related rows the list shows and loads for all its rows at once: prefetched for the
    # list alone, which no other page pays for.
    list_prefetch_related = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.str_select_related:
            queryset = queryset.select_related(*self.str_select_related)
        return queryset

    def get_changelist(self, request, **kwargs):
        return ChangeList

    def action_checkbox(self, obj):
        # Django renders a CheckboxInput through the form renderer's templates for each
        # row, a tenth of a changelist's time; the same tag, formatted here.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        if isinstance(paginator, pagination.EstimatedCountPaginator):
            paginator.key = pagination.parse_key(request.GET.get(pagination.KEY_VAR))
        return paginator

    def get_object_queryset(self, request):
        queryset = self.get_queryset(request)
        if self.object_select_related:  # select_related() without names means "all"
            queryset = queryset.select_related(*self.object_select_related)
        return queryset.prefetch_related(*self.object_prefetch_related)

    def get_object(self, request, object_id, from_field=None):
        # Kept for the request: a page that looks at the object before Django's view does
        # (CandidateAdmin's duplicate warning) does not load it twice.
        loaded = request.__dict__.setdefault("_zvonok_objects", {})
        key = (self.model, str(object_id), from_field)
        if key not in loaded:
            field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
            try:
                loaded[key] = self.get_object_queryset(request).get(
                    **{field.name: field.to_python(object_id)}
                )
            except (self.model.DoesNotExist, ValidationError, ValueError):
                loaded[key] = None
        return loaded[key]


class ChangeList(main.ChangeList):
    """The admin's changelist, with the pager's key (``pagination.KEY_VAR``) kept out of
    the filters and out of every other link: it belongs to the pager's links only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django adds the list's query to each row's link through add_preserved_filters,
        # which resolves the row's URL first (a tenth of a deep page's time); for a
        # change page the result is always the same query, computed here once.
        self._row_query = urlencode(dict(parse_qsl(self.preserved_filters or "")))
        self.preserved_filters = ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self._row_query}" if self._row_query else url

    def _drop_key(self):
        # Django fills these from request.GET, then reads them for its first link.
        self.params.pop(pagination.KEY_VAR, None)
        self.filter_params.pop(pagination.KEY_VAR, None)

    def get_query_string(self, new_params=None, remove=None):
        self._drop_key()
        return super().get_query_string(new_params, remove)

    def get_filters_params(self, params=None):
        self._drop_key()
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(pagination.KEY_VAR, None)
        return lookup_params

    def get_filters(self, request):
        filters = super().get_filters(request)  # checks lookup_allowed first
        for lookup, values in self.get_filters_params().items():
            for value in values:
                check_runnable(self.model, lookup, value)
        return filters

    def get_ordering(self, request, queryset):
        # The columns the user sorts by (?o=), as well as the admin's own ordering.
        return readable_ordering(request, self.model, super().get_ordering(request, queryset))

    def get_queryset(self, request, exclude_parameters=None):
        if exclude_parameters is None and hasattr(self, "queryset"):
            # Django's changelist_view asks again before it runs an action: the queryset
            # built for the page, without building the filters (and reading their
            # choices) a second time.
            return self.queryset
        queryset = super().get_queryset(request, exclude_parameters)
        # Django leaves list_select_related out when the admin's queryset joins rows of
        # its own (str_select_related); the list needs both.
        if isinstance(self.list_select_related, list | tuple):
            queryset = queryset.select_related(*self.list_select_related)
        return queryset.prefetch_related(*self.model_admin.list_prefetch_related)


class ModelAdmin(RunnableLookupsMixin, ReadableFieldsMixin, _ObjectPagesMixin, admin.ModelAdmin):
    pass


class AuditedAdmin(
    RunnableLookupsMixin, ReadableFieldsMixin, _ObjectPagesMixin, SimpleHistoryAdmin
):
    """The admin's history page with field-by-field changes, shown only to those who may
    see every field: recruiters and HR managers (``history_for_recruiters``), or HR
    managers alone. Interviewers would otherwise read contacts and others' scores there."""

    history_for_recruiters = True
    # Related rows the history page names beyond the first level (simple_history joins
    # the model's own foreign keys): what the related rows' __str__ reads.
    history_select_related = ()

    def history_view(self, request, object_id, extra_context=None):
        user = request.user
        allowed = roles.is_hr_manager(user) or (
            self.history_for_recruiters and roles.is_recruiter(user)
        )
        key = _key_in_url(self.model, unquote(object_id))
        # The history view falls back to deleted rows' history; only rows this user may
        # open in the admin are offered.
        if not allowed or not self.get_queryset(request).filter(pk=key).exists():
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version (simple_history's page, which saves the form on POST with no
        # more than a view permission): the readers of the history page, and a revert is
        # a change of the row as it is now.
        user = request.user
        allowed = roles.is_hr_manager(user) or (
            self.history_for_recruiters and roles.is_recruiter(user)
        )
        current = self.get_object(request, unquote(object_id)) if allowed else None
        if current is None:
            raise PermissionDenied
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        _key_in_url(history.model, version_id)
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        if self.history_select_related:  # select_related() without names means "all"
            queryset = queryset.select_related(*self.history_select_related)
        return queryset

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        # The page names each version by its history_object, which simple_history builds
        # from bare ids on every access: built once here, with the joined rows attached.
        for record in historical_records:
            record.history_object = _with_related(record.history_object, record)
            # simple_history's page prints a missing reason as "None".
            record.history_change_reason = record.history_change_reason or ""
        super().set_history_delta_changes(request, historical_records, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        record = getattr(obj, "_history", None)  # simple_history's page of one version
        joins = [*self.str_select_related, *self.object_select_related]
        if record is not None and joins and not hasattr(obj, "_zvonok_joined"):
            # Its title and widgets name the version's related rows: one joined query
            # instead of one or more per name (get_form runs more than once a page).
            joined = type(record)._default_manager.select_related(*joins).get(pk=record.pk)
            _with_related(obj, joined)
            obj._zvonok_joined = True
        return super().get_form(request, obj, change, **kwargs)


def _key_in_url(model, value):
    """``value`` from a URL as ``model``'s primary key; 404 when it cannot be one."""
    try:
        return model._meta.pk.to_python(value)
    except ValidationError as exc:
        raise Http404 from exc


def _with_related(instance, record):
    """``instance`` with the related objects ``record`` (a historical row) has loaded."""
    names = {field.name for field in instance._meta.concrete_fields if field.many_to_one}
    for field in record._meta.concrete_fields:
        if field.name in names and field.is_cached(record):
            related = field.get_cached_value(record)
            target = instance._meta.get_field(field.name)
            # A related row deleted since is joined as None: the instance keeps its id.
            if related is not None and getattr(instance, target.attname) == getattr(
                related, target.target_field.attname
            ):
                target.set_cached_value(instance, related)
    return instance
