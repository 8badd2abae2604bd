"""Give every existing role assignment its own public id (before the column becomes unique)."""

import uuid

from django.db import migrations


def fill_public_ids(apps, schema_editor):
    RoleAssignment = apps.get_model("meetings", "RoleAssignment")
    rows = list(RoleAssignment.objects.filter(public_id__isnull=True).only("pk"))
    for row in rows:
        row.public_id = uuid.uuid4()
    RoleAssignment.objects.bulk_update(rows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_role_assignment_tasks")]

    operations = [migrations.RunPython(fill_public_ids, migrations.RunPython.noop)]
