"""Fill the daily summaries from the sales already recorded (issue 15, item 4).

Reports read the summaries, so a shop upgrading with history must not see zeros until someone runs
`rebuild_summaries`. A database without sales (a new install, the test database) skips it. The
rebuild is the same code `rebuild_summaries` runs (sales/summary_rebuild.py), valid against the
schema as of this migration; should a later migration change the tables it reads, make this one a
no-op and tell upgraders to run the command instead.
"""

from django.db import migrations


def _backfill(apps, schema_editor):
    if not apps.get_model("sales", "Sale").objects.exists():
        return
    from sales.summary_rebuild import rebuild_summaries  # noqa: PLC0415

    written = rebuild_summaries(progress=lambda line: print(f"  daily summaries {line}"))
    print(f"  daily summaries: {written} rows written")


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_daily_summaries")]

    operations = [migrations.RunPython(_backfill, migrations.RunPython.noop, elidable=True)]
