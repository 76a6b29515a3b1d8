"""Email-address usernames are now kept in lower case (User.normalize_username) and logins are matched in
lower case: existing ones are lowered too, unless another account already has the lowered name (left as it
is, for an administrator to settle)."""

from django.db import migrations
from django.db.models.functions import Lower


def lower_email_usernames(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(username__contains="@").exclude(username=Lower("username")):
        lowered = user.username.lower()
        if not User.objects.filter(username=lowered).exists():
            user.username = lowered
            user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(lower_email_usernames, migrations.RunPython.noop)]
