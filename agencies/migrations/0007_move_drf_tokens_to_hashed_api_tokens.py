"""Earlier single DRF tokens become named, hashed API tokens (they keep working); the plaintext
rows are deleted so no usable key stays at rest."""

import hashlib

from django.db import migrations


def forward(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("agencies", "ApiToken")
    for old in Token.objects.all():
        ApiToken.objects.create(
            user_id=old.user_id,
            name="API",
            prefix=old.key[:8],
            key_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            created_at=old.created,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0006_api_tokens_named_and_hashed"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
