from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from shared.roles import Role

TEST_PASSWORD = "Correct-Horse-9-Battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    role = Role.CASHIER

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save()


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = "customers.Customer"

    name = factory.Sequence(lambda n: f"Customer {n:04d}")
    phone = factory.Sequence(lambda n: f"0803{n:07d}")
    customer_type = "retail"
    credit_limit = Decimal("0.00")
