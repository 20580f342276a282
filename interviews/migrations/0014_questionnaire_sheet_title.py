"""Questionnaires: the heading of their answer files, apart from the title people read."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0013_submission_needs_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='questionnaire',
            name='sheet_title',
            field=models.CharField(blank=True, help_text='The first heading (# ...) of the files candidates send back. An import recognises the questionnaire by it, or by its title.', max_length=200, verbose_name='heading of the answer files'),
        ),
    ]
