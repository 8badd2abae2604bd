from django.db import migrations


def seed_and_fill(apps, schema_editor):
    from access.bases import SEED
    from access.sync import Models, sync_case

    LegalBasis = apps.get_model("access", "LegalBasis")
    for row in SEED:
        LegalBasis.objects.update_or_create(code=row["code"], defaults=row)
    m = Models.from_apps(apps)
    for case in m.SupportCase.objects.all().iterator():
        sync_case(case, m)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_grants_and_legal_bases")]

    operations = [migrations.RunPython(seed_and_fill, migrations.RunPython.noop)]
