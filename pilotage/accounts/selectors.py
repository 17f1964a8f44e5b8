"""Reads of people and role assignments, cut to what the actor manages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from pilotage.accounts.models import ApiToken, RoleAssignment, User
from pilotage.accounts.permissions import people_q


def assignments_visible(actor: Any) -> QuerySet[RoleAssignment]:
    """The assignments of the people the actor manages or works with (see permissions)."""
    return RoleAssignment.objects.filter(people_q(actor)).select_related(
        "org_unit", "org_unit__level"
    )


def people_visible(actor: Any, *, query: str = "", role: str = "") -> QuerySet[User]:
    assignments = assignments_visible(actor)
    if role:
        assignments = assignments.filter(role=role)
    users = User.objects.filter(pk__in=assignments.values("user_id"))
    if query.strip():
        q = query.strip()
        users = users.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    return users.order_by("last_name", "first_name", "username").prefetch_related(
        Prefetch(
            "assignments", queryset=assignments.order_by("role"), to_attr="visible_assignments"
        )
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
