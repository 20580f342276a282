"""Large admin uploads imported in the background: the job that records each one."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0021_interview_sequence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="UploadJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "queued"),
                            ("running", "running"),
                            ("done", "finished"),
                            ("failed", "failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("token", models.CharField(editable=False, max_length=64, verbose_name="upload")),
                (
                    "accepted",
                    models.JSONField(
                        blank=True, default=list, editable=False, verbose_name="ticked files"
                    ),
                ),
                ("total_files", models.PositiveIntegerField(verbose_name="files")),
                ("files_done", models.PositiveIntegerField(default=0, verbose_name="files done")),
                ("summary", models.JSONField(blank=True, default=dict, verbose_name="summary")),
                (
                    "results",
                    models.JSONField(
                        blank=True, default=list, editable=False, verbose_name="results"
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="started by",
                    ),
                ),
            ],
            options={
                "verbose_name": "answer import",
                "verbose_name_plural": "answer imports",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "done", "failed"])),
                        name="interviews_uploadjob_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("files_done__lte", models.F("total_files"))),
                        name="interviews_uploadjob_done_within_total",
                    ),
                    models.UniqueConstraint(fields=("token",), name="interviews_uploadjob_token"),
                ],
            },
        ),
    ]
