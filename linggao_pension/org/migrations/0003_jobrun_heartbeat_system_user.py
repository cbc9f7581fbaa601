"""Job heartbeat and claims (stalled jobs are resumed), and the system user, the actor of scheduled jobs."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations, models


def add_system_user(apps, schema_editor):
    """`system` records scheduled jobs; no usable password, so nobody signs in as it. Its role
    (系统任务) and permissions are set after every migrate by org.roles.sync_roles."""
    User = apps.get_model("org", "User")
    User.objects.get_or_create(
        username="system", defaults={"full_name": "系统（定时任务）", "password": make_password(None)}
    )


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_lingao_towns'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='jobrun',
            options={'ordering': ['-created_at', '-pk'], 'permissions': [('resume_jobrun', '可恢复已停滞的批处理任务')], 'verbose_name': '批处理任务记录', 'verbose_name_plural': '批处理任务记录'},
        ),
        migrations.AddField(
            model_name='jobrun',
            name='attempt',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='运行次数'),
        ),
        migrations.AddField(
            model_name='jobrun',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, default=django.utils.timezone.now, null=True, verbose_name='最近心跳'),
        ),
        migrations.AddField(
            model_name='jobrun',
            name='resumed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='恢复时间'),
        ),
        migrations.AddField(
            model_name='jobrun',
            name='resumed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='恢复人'),
        ),
        migrations.AddIndex(
            model_name='jobrun',
            index=models.Index(fields=['status', 'heartbeat_at'], name='jobrun_status_heartbeat_idx'),
        ),
        migrations.RunPython(add_system_user, migrations.RunPython.noop),
    ]
