"""Message templates for writing to candidates, the ones Zvonok ships (Russian and
English) loaded for HR to edit, and the messages kept on each candidate."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from interviews.messaging.defaults import DEFAULT_TEMPLATES

# A shipped template's name in its own language: HR reads it in the list next to the
# templates they write.
NAMES = {
    ("rejection", "ru"): "Отказ",
    ("rejection", "en"): "Rejection",
    ("interview_invitation", "ru"): "Приглашение на собеседование",
    ("interview_invitation", "en"): "Interview invitation",
    ("questionnaire_invitation", "ru"): "Приглашение ответить на вопросы",
    ("questionnaire_invitation", "en"): "Questionnaire invitation",
    ("receipt", "ru"): "Ответы получены",
    ("receipt", "en"): "Answers received",
}


def load_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("interviews", "MessageTemplate")
    for (purpose, language), (subject, body) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(
            name=NAMES[purpose, language],
            defaults={"purpose": purpose, "language": language, "subject": subject, "body": body},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0017_vacancy_public_link"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MessageTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("questionnaire_invitation", "questionnaire invitation"),
                            ("receipt", "receipt confirmation"),
                            ("interview_invitation", "interview invitation"),
                            ("rejection", "rejection"),
                            ("offer", "offer"),
                            ("free", "free message"),
                        ],
                        max_length=30,
                        verbose_name="purpose",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("ru", "in Russian"), ("en", "in English")],
                        max_length=2,
                        verbose_name="language",
                    ),
                ),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body", models.TextField(verbose_name="body")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "message template",
                "verbose_name_plural": "message templates",
                "ordering": ["purpose", "language", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name",), name="interviews_messagetemplate_name"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "purpose__in",
                                [
                                    "questionnaire_invitation",
                                    "receipt",
                                    "interview_invitation",
                                    "rejection",
                                    "offer",
                                    "free",
                                ],
                            )
                        ),
                        name="interviews_messagetemplate_purpose_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("language__in", ["ru", "en"])),
                        name="interviews_messagetemplate_language_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("to", models.EmailField(max_length=254, verbose_name="to")),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body", models.TextField(verbose_name="body")),
                (
                    "status",
                    models.CharField(
                        choices=[("queued", "queued"), ("sent", "sent"), ("failed", "failed")],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "application",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="messages",
                        to="interviews.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "candidate",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="interviews.candidate",
                        verbose_name="candidate",
                    ),
                ),
                (
                    "sender",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="sender",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="interviews.messagetemplate",
                        verbose_name="message template",
                    ),
                ),
            ],
            options={
                "verbose_name": "message",
                "verbose_name_plural": "messages",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["candidate", "-created_at"], name="message_candidate_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "sent", "failed"])),
                        name="interviews_message_status_valid",
                    )
                ],
            },
        ),
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
    ]
