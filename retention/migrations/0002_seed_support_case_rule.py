from django.db import migrations

SUPPORT_CASE_BASIS = (
    "個人情報の保護に関する法律 第61条第2項(利用目的の達成に必要な範囲を超えた保有の禁止)。"
    "保存年数は市の文書管理規程(支援記録の保存期間)に合わせて設定する。"
)


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    RetentionRule.objects.get_or_create(
        kind="support_case",
        defaults={"years_after_closure": 5, "legal_basis": SUPPORT_CASE_BASIS},
    )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_rules_and_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
