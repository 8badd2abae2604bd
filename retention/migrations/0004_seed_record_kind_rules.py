from django.db import migrations

# The same basis as support cases (0002): no keeping beyond the purpose, five years by default.
BASIS = (
    "個人情報の保護に関する法律 第61条第2項(利用目的の達成に必要な範囲を超えた保有の禁止)。"
    "保存年数は市の文書管理規程に合わせて設定する。起算日: {start}。"
)
RULES = {
    "consultation": "相談の受付日(ケースにつながらなかった相談)",
    "referral": "回答(受理・差し戻し)または取り下げの日(ケースにつながらなかったシート)",
    "outreach_target": "終結の日",
}


def seed(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for kind, start in RULES.items():
        RetentionRule.objects.get_or_create(
            kind=kind,
            defaults={"years_after_closure": 5, "legal_basis": BASIS.format(start=start)},
        )


def unseed(apps, schema_editor):
    apps.get_model("retention", "RetentionRule").objects.filter(kind__in=RULES).delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0003_record_kinds_beyond_cases")]

    operations = [migrations.RunPython(seed, unseed)]
