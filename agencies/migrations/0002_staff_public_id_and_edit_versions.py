# Optimistic-concurrency counters on Area, Agency and User, and a nullable User.public_id that
# 0003 fills and 0004 makes unique (Django's three-step recipe for a unique field on existing rows).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="版"),
        ),
        migrations.AddField(
            model_name="area",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="版"),
        ),
        migrations.AddField(
            model_name="user",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="版"),
        ),
        migrations.AddField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="公開ID"),
        ),
    ]
