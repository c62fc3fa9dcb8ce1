from django.db import migrations


def create_default_location(apps, schema_editor):
    Location = apps.get_model("products", "Location")
    if not Location.objects.filter(is_default=True).exists():
        Location.objects.create(name="Main shop", kind="shop", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]

    operations = [migrations.RunPython(create_default_location, migrations.RunPython.noop)]
