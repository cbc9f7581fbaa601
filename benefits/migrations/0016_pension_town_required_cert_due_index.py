import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('benefits', '0015_pension_places_cert_due'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pension',
            name='town',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.town', verbose_name='镇/农场（随参保人）'),
        ),
        migrations.AddIndex(
            model_name='pension',
            index=models.Index(condition=models.Q(('status', 'active')), fields=['last_certified_on'], include=('id', 'town', 'village'), name='pension_cert_due_idx'),
        ),
    ]
