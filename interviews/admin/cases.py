"""The admin's generic sentences with each model's name in the right grammatical form.

Django builds its titles, buttons and messages from ``verbose_name`` alone, which gives
"Добавить заявка" and "5 кандидаты" in Russian. :class:`CasedNamesMixin` hooks the few
places where a ModelAdmin builds those sentences and fills them from
``interviews.grammar``; the templates in ``zvonok/templates/admin`` do the same for the
breadcrumbs, the add button and the row count, and :func:`delete_selected` for the
site-wide delete action. :func:`apply` gives the mixin to every registered ModelAdmin,
the third-party apps' included, so that one page never reads differently from another.
"""

import json

from django.contrib import messages
from django.contrib.admin import actions, helpers
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from interviews import grammar


class _InlineAdminFormSet(helpers.InlineAdminFormSet):
    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        noun = grammar.noun(self.formset.model)
        if noun is not None:
            data["options"]["addText"] = str(noun.add_another)
        return json.dumps(data)


class CasedNamesMixin:
    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        noun = grammar.noun(self.model)
        if noun is not None:
            # The same choice as Django's ChangeList, with the accusative.
            if changelist.is_popup:
                title = gettext("Select %s")
            elif self.has_change_permission(request):
                title = gettext("Select %s to change")
            else:
                title = gettext("Select %s to view")
            changelist.title = title % noun.accusative
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        noun = grammar.noun(self.model)
        if noun is not None:
            # Django's own title only: a page that sets its own keeps it.
            for msgid in ("Add %s", "Change %s", "View %s"):
                if context.get("title") == gettext(msgid) % self.opts.verbose_name:
                    context["title"] = gettext(msgid) % noun.accusative
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_delete_form(self, request, context):
        noun = grammar.noun(self.model)
        if noun is not None:
            # "Вы уверены, что хотите удалить заявку «…»?"
            context["object_name"] = str(noun.accusative)
        return super().render_delete_form(request, context)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_admin_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_admin_formset in inline_admin_formsets:
            # Only its "add another" caption differs; built by Django, so retyped here.
            inline_admin_formset.__class__ = _InlineAdminFormSet
        return inline_admin_formsets

    def get_action_choices(self, request, default_choices=models.BLANK_CHOICE_DASH):
        choices = super().get_action_choices(request, default_choices)
        noun = grammar.noun(self.model)
        if noun is None:
            return choices
        caption = gettext("Delete selected %(verbose_name_plural)s") % {
            "verbose_name_plural": noun.selected
        }
        return [(name, caption if name == "delete_selected" else text) for name, text in choices]


def delete_selected(modeladmin, request, queryset):
    """Django's delete action, with the count and the confirmation in the model's forms."""
    noun = grammar.noun(modeladmin.model)
    if noun is None:
        return actions.delete_selected(modeladmin, request, queryset)
    if request.POST.get("post") and IS_POPUP_VAR not in request.POST:
        # Confirmed: the same checks and steps as Django's action, and our message.
        _objects, _counts, perms_needed, protected = modeladmin.get_deleted_objects(
            queryset, request
        )
        if not protected:
            if perms_needed:
                raise PermissionDenied
            count = len(queryset)
            if count:
                modeladmin.log_deletions(request, queryset)
                modeladmin.delete_queryset(request, queryset)
                modeladmin.message_user(
                    request,
                    gettext("Deleted: %(items)s.") % {"items": noun.count(count)},
                    messages.SUCCESS,
                )
            return None
    response = actions.delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse):
        context = response.context_data
        if context.get("perms_lacking") or context.get("protected"):
            context["title"] = gettext("Cannot delete %(name)s") % {"name": noun.selected}
        context["objects_name"] = str(noun.selected)
    return response


delete_selected.allowed_permissions = actions.delete_selected.allowed_permissions
delete_selected.short_description = gettext_lazy("Delete selected %(verbose_name_plural)s")


def apply(site):
    """Every ModelAdmin of ``site`` with :class:`CasedNamesMixin`, and the delete action
    that counts in the models' plural forms. Run once all apps have registered."""
    site.add_action(delete_selected, "delete_selected")
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, CasedNamesMixin):
            continue
        cls = type(model_admin)
        site.unregister(model)
        site.register(
            model, type(cls.__name__, (CasedNamesMixin, cls), {"__module__": cls.__module__})
        )


def count_phrase(opts, count):
    """ "5 заявок": ``count`` rows of the model of ``opts``, for the admin's templates."""
    noun = grammar.noun(opts.model)
    if noun is not None:
        return noun.count(count)
    name = opts.verbose_name if count == 1 else opts.verbose_name_plural
    return f"{count} {name}"


def verb_phrase(sentence, opts):
    """``sentence``, a msgid with a verb and one ``%s``, translated, with the model of
    ``opts`` in the accusative: "Добавить заявку"."""
    noun = grammar.noun(opts.model)
    return capfirst(gettext(sentence) % (noun.accusative if noun else opts.verbose_name))


def add_caption(opts):
    return verb_phrase("Add %s", opts)
