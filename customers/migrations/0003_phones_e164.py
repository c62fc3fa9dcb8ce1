"""Store customers' phone numbers in E.164, as customers.phones now writes them.

Numbers that do not parse in the shop's region (POS_PHONE_REGION) are left exactly as they are:
the customer stays loadable and the number is checked the next time someone edits it.
"""

import phonenumbers
from django.conf import settings
from django.db import migrations


def to_e164(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    for customer in Customer.objects.exclude(phone="").only("pk", "phone").iterator():
        try:
            number = phonenumbers.parse(customer.phone, settings.POS_PHONE_REGION)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 != customer.phone:
            Customer.objects.filter(pk=customer.pk).update(phone=e164)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_trigram_indexes")]

    operations = [migrations.RunPython(to_e164, migrations.RunPython.noop, elidable=True)]
