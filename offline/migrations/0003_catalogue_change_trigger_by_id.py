"""The change-log trigger reads the row id directly and skips updates that change nothing.

Every logged table keys its rows by `id`, so serialising the whole row to JSON to read one column
(0002) was work done on every stock write of every sale. An UPDATE that leaves the row as it was
cannot change what a till has cached, so it is not logged.
"""

from importlib import import_module

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION offline_log_catalogue_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), TG_ARGV[0], NEW.id);
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.id IS DISTINCT FROM (CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE NEW.id END) THEN
        INSERT INTO offline_cataloguechange (txid, entity, object_id)
            VALUES (txid_current(), TG_ARGV[0], OLD.id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _replace(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)


def _restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(import_module("offline.migrations.0002_catalogue_change").PG_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("offline", "0002_catalogue_change")]

    operations = [migrations.RunPython(_replace, _restore)]
