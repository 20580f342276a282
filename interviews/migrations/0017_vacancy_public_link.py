"""Vacancies get a public link for candidates (a random token, on, replaced or off, with an
optional closing date) and an owner who hears of each sheet handed in through it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0016_answer_redundant_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
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
    ]
