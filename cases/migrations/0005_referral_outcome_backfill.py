"""Code the outcome of referrals answered before outcomes were recorded."""

from django.db import migrations


def backfill(apps, schema_editor):
    Referral = apps.get_model("cases", "Referral")
    Referral.objects.filter(status="accepted", case__isnull=False, outcome="").update(
        outcome="multiagency"
    )
    Referral.objects.filter(status="returned", outcome="").update(outcome="returned")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_referral_outcome")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
