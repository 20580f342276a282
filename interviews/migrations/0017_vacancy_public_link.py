"""Vacancies get a public link for candidates (a random token, on, replaced or off, with an
optional closing date) and an owner who hears of each sheet handed in through it; the
sheets handed in wait as apply requests until their senders confirm their e-mail. The
shared cache's table (the public page's rate limit) is made here too, when the cache is
the database's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models


def create_cache_table(apps, schema_editor):
    # Does nothing for a cache that is not the database's (Redis).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    from django.conf import settings

    location = settings.CACHES["default"].get("LOCATION")
    if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        name = schema_editor.quote_name(location)
        schema_editor.execute(f"DROP TABLE IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0016_answer_redundant_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApplyRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('draft_hash', models.CharField(max_length=64)),
                ('confirm_hash', models.CharField(blank=True, default='', max_length=64)),
                ('full_name', models.CharField(max_length=200, verbose_name='full name')),
                ('email', models.EmailField(max_length=254, verbose_name='email')),
                ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                ('telegram', models.CharField(blank=True, max_length=100, verbose_name='telegram')),
                ('source_name', models.CharField(max_length=1000)),
                ('origin', models.JSONField(blank=True, default=dict)),
                ('data', models.BinaryField()),
                ('consent_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField()),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'sheet handed in',
                'verbose_name_plural': 'sheets handed in',
            },
        ),
        migrations.AddField(
            model_name='vacancy',
            name='apply_closes_at',
            field=models.DateTimeField(blank=True, help_text='After this moment the public link says it is closed. Empty: no date.', null=True, verbose_name='public link closes'),
        ),
        migrations.AddField(
            model_name='vacancy',
            name='apply_token',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='public link token'),
        ),
        migrations.AddField(
            model_name='vacancy',
            name='owner',
            field=models.ForeignKey(blank=True, help_text='Gets an e-mail for each answer sheet handed in through the public link.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_vacancies', to=settings.AUTH_USER_MODEL, verbose_name='owner'),
        ),
        migrations.AddConstraint(
            model_name='vacancy',
            constraint=models.UniqueConstraint(condition=models.Q(('apply_token', ''), _negated=True), fields=('apply_token',), name='vacancy_apply_token_unique'),
        ),
        migrations.AddField(
            model_name='applyrequest',
            name='submission',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='interviews.submission'),
        ),
        migrations.AddField(
            model_name='applyrequest',
            name='vacancy',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='apply_requests', to='interviews.vacancy', verbose_name='vacancy'),
        ),
        migrations.AddIndex(
            model_name='applyrequest',
            index=models.Index(fields=['expires_at'], name='applyrequest_expires_idx'),
        ),
        migrations.AddConstraint(
            model_name='applyrequest',
            constraint=models.UniqueConstraint(fields=('draft_hash',), name='applyrequest_draft_hash_unique'),
        ),
        migrations.AddConstraint(
            model_name='applyrequest',
            constraint=models.UniqueConstraint(condition=models.Q(('confirm_hash', ''), _negated=True), fields=('confirm_hash',), name='applyrequest_confirm_hash_unique'),
        ),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
