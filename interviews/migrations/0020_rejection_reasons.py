"""Rejection reasons: a list HR keeps, each optionally with its rejection letter, and the
application's reason as a foreign key to it.

The free text that ``Application.rejection_reason`` held until now becomes
``rejection_comment``; a text that is the name of a shipped reason (in Russian or in
English, whatever its case and spacing) becomes that reason, and the comment is emptied.
Everything else stays as the comment. The audit history keeps its text as it was written.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

# The shipped reasons in their order: (Russian name, the English name an old text may be
# written in, whether the shipped rejection letter goes with it). A candidate who withdrew
# or took another offer is not sent a rejection.
DEFAULT_REASONS = [
    ("Недостаточный опыт", "Not enough experience", True),
    ("Навыки не подходят", "Skills do not match", True),
    ("Техническое интервью не пройдено", "Failed the technical interview", True),
    ("Зарплатные ожидания выше вилки", "Salary expectations too high", True),
    ("Выбрали другого кандидата", "Another candidate was chosen", True),
    ("Вакансия закрыта", "Vacancy closed", True),
    ("Нет связи с кандидатом", "Candidate not responding", True),
    ("Кандидат выбрал другое предложение", "Candidate accepted another offer", False),
    ("Кандидат отказался", "Candidate withdrew", False),
    ("Другое", "Other", False),
]
# The shipped Russian rejection letter (migration 0018), if HR has not renamed it.
REJECTION_LETTER = "Отказ"
BATCH = 1000


def normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def load_and_map(apps, schema_editor):
    db = schema_editor.connection.alias
    Application = apps.get_model("interviews", "Application")
    MessageTemplate = apps.get_model("interviews", "MessageTemplate")
    RejectionReason = apps.get_model("interviews", "RejectionReason")

    letter = (
        MessageTemplate.objects.using(db)
        .filter(name=REJECTION_LETTER, purpose="rejection")
        .first()
    )
    by_name = {}
    for position, (name, english, with_letter) in enumerate(DEFAULT_REASONS, start=1):
        reason = RejectionReason.objects.using(db).create(
            name=name, position=position * 10, template=letter if with_letter else None
        )
        by_name[normalise(name)] = by_name[normalise(english)] = reason.pk

    longest = max(len(key) for key in by_name)
    matched = {pk: [] for pk in by_name.values()}  # reason -> applications whose text names it
    texts = (
        Application.objects.using(db)
        .exclude(rejection_comment="")
        .values_list("pk", "rejection_comment")
    )
    for pk, text in texts.iterator(chunk_size=2000):
        # A long text is no reason's name: not worth normalising.
        if len(text) <= 4 * longest and (reason := by_name.get(normalise(text))) is not None:
            matched[reason].append(pk)
    for reason, ids in matched.items():
        for start in range(0, len(ids), BATCH):
            Application.objects.using(db).filter(pk__in=ids[start : start + BATCH]).update(
                rejection_reason_id=reason, rejection_comment=""
            )


def back_to_text(apps, schema_editor):
    """Going back, the reason's name returns to the text, before any comment."""
    db = schema_editor.connection.alias
    Application = apps.get_model("interviews", "Application")
    rows = (
        Application.objects.using(db)
        .filter(rejection_reason__isnull=False)
        .values_list("pk", "rejection_reason__name", "rejection_comment")
    )
    for pk, name, comment in rows.iterator(chunk_size=2000):
        text = f"{name}. {comment}" if comment else name
        Application.objects.using(db).filter(pk=pk).update(rejection_comment=text)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0018_message_templates"),
    ]

    operations = [
        migrations.CreateModel(
            name="RejectionReason",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        help_text=(
                            "Offered for sending after applications are rejected with this reason."
                        ),
                        limit_choices_to={"purpose": "rejection"},
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="rejection_reasons",
                        to="interviews.messagetemplate",
                        verbose_name="rejection letter",
                    ),
                ),
            ],
            options={
                "verbose_name": "rejection reason",
                "verbose_name_plural": "rejection reasons",
                "ordering": ["position", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("name"),
                        name="interviews_rejectionreason_name",
                    )
                ],
            },
        ),
        migrations.RenameField(
            model_name="application", old_name="rejection_reason", new_name="rejection_comment"
        ),
        migrations.RenameField(
            model_name="historicalapplication",
            old_name="rejection_reason",
            new_name="rejection_comment",
        ),
        migrations.AlterField(
            model_name="application",
            name="rejection_comment",
            field=models.TextField(blank=True, verbose_name="rejection comment"),
        ),
        migrations.AlterField(
            model_name="historicalapplication",
            name="rejection_comment",
            field=models.TextField(blank=True, verbose_name="rejection comment"),
        ),
        migrations.AddField(
            model_name="application",
            name="rejection_reason",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="interviews.rejectionreason",
                verbose_name="rejection reason",
            ),
        ),
        migrations.AddField(
            model_name="historicalapplication",
            name="rejection_reason",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="interviews.rejectionreason",
                verbose_name="rejection reason",
            ),
        ),
        migrations.RunPython(load_and_map, back_to_text),
    ]
