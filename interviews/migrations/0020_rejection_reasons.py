"""Rejection reasons: a list HR keeps, each optionally with its rejection letter, and the
application's reason as a foreign key to it.

The free text that ``Application.rejection_reason`` held until now becomes
``rejection_comment``; a text that is the name of a shipped reason (in Russian or in
English, whatever its case and spacing) becomes that reason, and the comment is emptied.
Everything else stays as the comment. The audit history keeps its text as it was written.
"""

import re
from importlib import import_module

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


# The funnel's summary on PostgreSQL (migration 0012) counts the applications now in each
# stage per vacancy and source; it now counts them per reason too (0: none), so that the
# funnel reads rejections by reason from it as well, whatever the size of the table. The
# functions that write it take the reason along; the rest of the summary is unchanged.
SUMMARY_WITH_REASONS = r"""
ALTER TABLE interviews_funnel_now ADD COLUMN reason_id bigint NOT NULL DEFAULT 0;
ALTER TABLE interviews_funnel_now DROP CONSTRAINT interviews_funnel_now_pkey;
ALTER TABLE interviews_funnel_now ADD PRIMARY KEY (vacancy_id, stage_id, source, reason_id);

-- Applications now in each stage: ``delta`` rows of (vacancy, stage or 0, source,
-- reason or 0, n).
CREATE OR REPLACE FUNCTION interviews_funnel_count(delta jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO interviews_funnel_now AS f (vacancy_id, stage_id, source, reason_id, applications)
    SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, (r->>3)::bigint, sum((r->>4)::integer)
    FROM jsonb_array_elements(delta) r
    GROUP BY 1, 2, 3, 4 HAVING sum((r->>4)::integer) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (vacancy_id, stage_id, source, reason_id)
        DO UPDATE SET applications = f.applications + excluded.applications;
    DELETE FROM interviews_funnel_now WHERE applications = 0;
$$;

CREATE OR REPLACE FUNCTION interviews_funnel_on_application() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(jsonb_build_array(
            n.vacancy_id, coalesce(n.stage_id, 0), coalesce(c.source, ''),
            coalesce(n.rejection_reason_id, 0), 1)), '[]'))
        FROM new_rows n LEFT JOIN interviews_candidate c ON c.id = n.candidate_id;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(jsonb_build_array(
            o.vacancy_id, coalesce(o.stage_id, 0), coalesce(c.source, ''),
            coalesce(o.rejection_reason_id, 0), -1)), '[]'))
        FROM old_rows o LEFT JOIN interviews_candidate c ON c.id = o.candidate_id;
    ELSE
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(r), '[]'))
        FROM (
            SELECT jsonb_build_array(
                o.vacancy_id, coalesce(o.stage_id, 0), coalesce(oc.source, ''),
                coalesce(o.rejection_reason_id, 0), -1) AS r
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            LEFT JOIN interviews_candidate oc ON oc.id = o.candidate_id
            WHERE (o.vacancy_id, o.stage_id, o.candidate_id, o.rejection_reason_id)
                IS DISTINCT FROM (n.vacancy_id, n.stage_id, n.candidate_id, n.rejection_reason_id)
            UNION ALL
            SELECT jsonb_build_array(
                n.vacancy_id, coalesce(n.stage_id, 0), coalesce(nc.source, ''),
                coalesce(n.rejection_reason_id, 0), 1)
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            LEFT JOIN interviews_candidate nc ON nc.id = n.candidate_id
            WHERE (o.vacancy_id, o.stage_id, o.candidate_id, o.rejection_reason_id)
                IS DISTINCT FROM (n.vacancy_id, n.stage_id, n.candidate_id, n.rejection_reason_id)
        ) changed;
        -- An application moved to another vacancy takes its history along.
        moved := ARRAY(
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.vacancy_id <> n.vacancy_id
        );
        IF cardinality(moved) > 0 THEN
            PERFORM interviews_funnel_apply(
                ARRAY(
                    SELECT ROW(s.application_id, o.vacancy_id, s.stage_id, s.at, s.id)
                        ::interviews_stay
                    FROM unnest(interviews_funnel_history(moved)) s
                    JOIN old_rows o ON o.id = s.application_id
                ),
                interviews_funnel_history(moved)
            );
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION interviews_funnel_on_candidate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM interviews_funnel_count(coalesce(jsonb_agg(r), '[]'))
    FROM (
        SELECT jsonb_build_array(a.vacancy_id, coalesce(a.stage_id, 0), ch.old_source,
            coalesce(a.rejection_reason_id, 0), -1) AS r
        FROM (
            SELECT n.id, o.source AS old_source, n.source AS new_source
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.source IS DISTINCT FROM n.source
        ) ch JOIN interviews_application a ON a.candidate_id = ch.id
        UNION ALL
        SELECT jsonb_build_array(a.vacancy_id, coalesce(a.stage_id, 0), ch.new_source,
            coalesce(a.rejection_reason_id, 0), 1)
        FROM (
            SELECT n.id, o.source AS old_source, n.source AS new_source
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.source IS DISTINCT FROM n.source
        ) ch JOIN interviews_application a ON a.candidate_id = ch.id
    ) changed;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION interviews_funnel_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    LOCK TABLE interviews_candidate, interviews_application, interviews_stagechange
        IN SHARE MODE;
    DELETE FROM interviews_funnel_now;
    DELETE FROM interviews_funnel_stage;
    DELETE FROM interviews_funnel_pair;
    INSERT INTO interviews_funnel_now (vacancy_id, stage_id, source, reason_id, applications)
    SELECT a.vacancy_id, coalesce(a.stage_id, 0), c.source, coalesce(a.rejection_reason_id, 0),
        count(*)
    FROM interviews_application a JOIN interviews_candidate c ON c.id = a.candidate_id
    GROUP BY 1, 2, 3, 4;
    FOR v IN SELECT DISTINCT vacancy_id FROM interviews_application ORDER BY 1 LOOP
        PERFORM interviews_funnel_apply(
            '{}',
            interviews_funnel_history(
                ARRAY(SELECT id FROM interviews_application WHERE vacancy_id = v)
            )
        );
    END LOOP;
END
$$;
"""

# Back: the counts summed over the reasons, and migration 0012's functions again.
SUMMARY_WITHOUT_REASONS = r"""
CREATE TEMPORARY TABLE interviews_funnel_now_before ON COMMIT DROP AS
    SELECT vacancy_id, stage_id, source, sum(applications)::integer AS applications
    FROM interviews_funnel_now GROUP BY 1, 2, 3;
DELETE FROM interviews_funnel_now;
ALTER TABLE interviews_funnel_now DROP CONSTRAINT interviews_funnel_now_pkey;
ALTER TABLE interviews_funnel_now DROP COLUMN reason_id;
ALTER TABLE interviews_funnel_now ADD PRIMARY KEY (vacancy_id, stage_id, source);
INSERT INTO interviews_funnel_now (vacancy_id, stage_id, source, applications)
    SELECT vacancy_id, stage_id, source, applications FROM interviews_funnel_now_before;
"""
REWRITTEN = (
    "interviews_funnel_count",
    "interviews_funnel_on_application",
    "interviews_funnel_on_candidate",
    "interviews_funnel_rebuild",
)


def _functions_of_0012():
    """Migration 0012's definitions of the functions rewritten here, to replace them back."""
    summary = import_module("interviews.migrations.0012_funnel_summary").SUMMARY
    return "\n".join(
        re.search(rf"CREATE FUNCTION {name}\(.*?\n\$\$;\n", summary, re.DOTALL)
        .group(0)
        .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
        for name in REWRITTEN
    )


def count_reasons(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUMMARY_WITH_REASONS, params=None)


def stop_counting_reasons(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUMMARY_WITHOUT_REASONS + _functions_of_0012(), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0019_message_calendar"),
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
                        violation_error_message="There is a rejection reason with this name already.",
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
        # The summary counts reasons before the reasons are set: every UPDATE below moves
        # its counts from "no reason" to the reason.
        migrations.RunPython(count_reasons, stop_counting_reasons, elidable=False),
        migrations.RunPython(load_and_map, back_to_text),
    ]
