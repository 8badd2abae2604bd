from django.db import migrations


def fill(apps, schema_editor):
    from access.bases import default_code_for_body

    LegalBasis = apps.get_model("access", "LegalBasis")
    MeetingBody = apps.get_model("meetings", "MeetingBody")
    ids = dict(LegalBasis.objects.values_list("code", "pk"))
    for body in MeetingBody.objects.filter(basis__isnull=True):
        body.basis_id = ids.get(default_code_for_body(body.kind, body.designated_from))
        body.save(update_fields=["basis"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_body_legal_basis"),
        ("access", "0002_seed_bases_and_fill_grants"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
