from django.db import migrations


def forwards(apps, schema_editor):
    CommunityIssue = apps.get_model("community", "CommunityIssue")
    for issue in CommunityIssue.objects.filter(raised_from__isnull=False).select_related(
        "raised_from"
    ):
        issue.source = "meeting"
        issue.source_case_id = issue.raised_from.case_id
        issue.save(update_fields=["source", "source_case"])


class Migration(migrations.Migration):
    dependencies = [("community", "0003_places_sessions_volunteers_programs_issues")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
