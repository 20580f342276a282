"""Authentication backend: Django's ModelBackend with the queries of a signed-in request
folded together.

Every admin request asks who the user is, which roles they hold (``interviews.roles``)
and which model permissions they have. ModelBackend answers with four queries (the user,
the user's own permissions, the groups' permissions) and the roles need a fifth; here the
roles come with the user's row and the permissions in one query.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q

from . import roles


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        # One EXISTS per role: cheaper than a second query, and the same answer as reading
        # the user's group names, since roles only ever ask about these three.
        flags = {
            f"_zvonok_role_{i}": Exists(Group.objects.filter(user=OuterRef("pk"), name=role))
            for i, role in enumerate(roles.ROLES)
        }
        UserModel = get_user_model()
        try:
            user = UserModel._default_manager.annotate(**flags).get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        roles.remember_groups(
            user, [role for i, role in enumerate(roles.ROLES) if getattr(user, f"_zvonok_role_{i}")]
        )
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        # ModelBackend caches the union in _perm_cache, read by has_perm and
        # has_module_perms; filled here from one query instead of two.
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not hasattr(user_obj, "_perm_cache")
        ):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                permissions = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return super().get_all_permissions(user_obj, obj)
