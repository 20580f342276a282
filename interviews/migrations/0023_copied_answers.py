"""Copied answers: known sources and their answers, the LSH band hashes of answers, and the
similar pairs found (interviews.copying)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0018_message_templates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='KnownSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('url', models.URLField(blank=True, max_length=1000, verbose_name='link')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='added')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('questionnaire', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='known_sources', to='interviews.questionnaire', verbose_name='questionnaire')),
            ],
            options={
                'verbose_name': 'known source',
                'verbose_name_plural': 'known sources',
                'ordering': ['questionnaire', 'title', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SourceAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='text')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interviews.question', verbose_name='question')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='interviews.knownsource', verbose_name='source')),
            ],
            options={
                'verbose_name': 'source answer',
                'verbose_name_plural': 'source answers',
                'ordering': ['source', 'question__position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AnswerMatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('similarity', models.FloatField(verbose_name='similarity')),
                ('found_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='found')),
                ('answer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='interviews.answer', verbose_name='answer')),
                ('other_answer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='matched_by', to='interviews.answer', verbose_name='other answer')),
                ('source_answer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='matches', to='interviews.sourceanswer', verbose_name='source answer')),
            ],
            options={
                'verbose_name': 'answer match',
                'verbose_name_plural': 'answer matches',
                'ordering': ['-similarity', '-id'],
                'indexes': [models.Index(condition=models.Q(('other_answer__isnull', False)), fields=['other_answer'], name='interviews_match_other_idx'), models.Index(condition=models.Q(('source_answer__isnull', False)), fields=['source_answer'], name='interviews_match_src_idx'), models.Index(fields=['-similarity'], name='interviews_match_sim_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('other_answer__isnull', True), ('source_answer__isnull', True), _connector='XOR'), name='interviews_answermatch_one_other'), models.CheckConstraint(condition=models.Q(('other_answer__isnull', True), ('answer__gt', models.F('other_answer')), _connector='OR'), name='interviews_answermatch_later_first'), models.CheckConstraint(condition=models.Q(('similarity__gte', 0), ('similarity__lte', 1)), name='interviews_answermatch_similarity_range'), models.UniqueConstraint(condition=models.Q(('other_answer__isnull', False)), fields=('answer', 'other_answer'), name='interviews_answermatch_unique_pair'), models.UniqueConstraint(condition=models.Q(('source_answer__isnull', False)), fields=('answer', 'source_answer'), name='interviews_answermatch_unique_source')],
            },
        ),
        migrations.CreateModel(
            name='AnswerBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('band', models.BigIntegerField(verbose_name='band hash')),
                ('answer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interviews.answer')),
                ('questionnaire', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interviews.questionnaire')),
                ('source_answer', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interviews.sourceanswer')),
            ],
            options={
                'verbose_name': 'LSH band hash',
                'verbose_name_plural': 'LSH band hashes',
                'ordering': ['id'],
                'indexes': [models.Index(fields=['questionnaire', 'band', 'answer'], include=('source_answer',), name='interviews_band_lookup_idx'), models.Index(condition=models.Q(('source_answer__isnull', False)), fields=['source_answer'], name='interviews_band_src_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('answer__isnull', True), ('source_answer__isnull', True), _connector='XOR'), name='interviews_answerband_one_owner')],
            },
        ),
    ]
