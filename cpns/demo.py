"""Demo accounts: one per role, with a known password, for the embedded quick start."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Institution, Membership, User
from .roles import REVIEWER_GROUP, TUTOR_GROUP, roles_ensure

DEMO_PASSWORD = "demo-cpns-2026"
DEMO_INSTITUTION = ("Bimbel Demo Nusantara", "bimbel-demo-nusantara")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str


DEMO_ACCOUNTS = [
    DemoAccount("peserta@demo.cpns.id", "Rina Peserta", "peserta"),
    DemoAccount("tutor@demo.cpns.id", "Bagus Tutor", "tutor"),
    DemoAccount("reviewer@demo.cpns.id", "Dewi Reviewer", "reviewer"),
    DemoAccount("lembaga@demo.cpns.id", "Andi Admin Lembaga", "admin lembaga"),
    DemoAccount("pengawas@demo.cpns.id", "Sari Pengawas", "pengawas"),
    DemoAccount("admin@demo.cpns.id", "Admin Situs", "superuser"),
]


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccount]:
    roles_ensure()
    institution, _ = Institution.objects.get_or_create(
        slug=DEMO_INSTITUTION[1], defaults={"name": DEMO_INSTITUTION[0]}
    )
    tutor_group = Group.objects.get(name=TUTOR_GROUP)
    reviewer_group = Group.objects.get(name=REVIEWER_GROUP)
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=account.email, defaults={"full_name": account.name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        if account.role in {"tutor", "reviewer", "superuser"}:
            user.is_staff = True
        if account.role == "superuser":
            user.is_superuser = True
        user.save()
        if account.role == "tutor":
            user.groups.add(tutor_group)
        if account.role == "reviewer":
            user.groups.add(tutor_group, reviewer_group)
        if account.role == "admin lembaga":
            Membership.objects.get_or_create(
                institution=institution, user=user, defaults={"role": Membership.Role.ADMIN}
            )
        if account.role == "pengawas":
            Membership.objects.get_or_create(
                institution=institution, user=user, defaults={"role": Membership.Role.PROCTOR}
            )
        if account.role == "peserta":
            Membership.objects.get_or_create(institution=institution, user=user)
    return DEMO_ACCOUNTS
