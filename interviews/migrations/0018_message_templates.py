"""Message templates for writing to candidates, and the ones Zvonok ships (Russian and
English) loaded for HR to edit."""

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
        migrations.RunPython(load_defaults, migrations.RunPython.noop),
    ]
