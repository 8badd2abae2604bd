from django.db import migrations


def seed_and_fill(apps, schema_editor):
    from access.bases import SEED
    from access.sync import Models, sync_all

    LegalBasis = apps.get_model("access", "LegalBasis")
    for row in SEED:
        LegalBasis.objects.update_or_create(code=row["code"], defaults=row)
    m = Models.from_apps(apps)
    sync_all(m.SupportCase.objects.all(), m)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_grants_and_legal_bases")]

    operations = [migrations.RunPython(seed_and_fill, migrations.RunPython.noop)]
