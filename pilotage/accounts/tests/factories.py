from __future__ import annotations

import factory

from pilotage.accounts.models import RoleAssignment, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Iterator(["Mohammed", "Fatima Zahra", "Youssef", "Khadija", "Omar"])
    last_name = factory.Iterator(["El Amrani", "Benjelloun", "Alaoui", "Bennani", "Tazi"])
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ma")
    password = factory.django.Password(PASSWORD)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
