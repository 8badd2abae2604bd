# Data: a distinct public_id for every existing user.

import uuid

from django.db import migrations


def fill_public_ids(apps, schema_editor):
    User = apps.get_model("agencies", "User")
    for pk in User.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
        User.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_staff_public_id_and_edit_versions"),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
