from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def navigation(request: HttpRequest) -> dict:
    """Whether to show the "Lembaga" menu; evaluated only if a template asks."""

    def is_member() -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.memberships.exists())

    return {"nav_is_institution_member": SimpleLazyObject(is_member)}
