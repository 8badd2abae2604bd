import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0003_fill_staff_public_ids"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="公開ID"),
        ),
    ]
