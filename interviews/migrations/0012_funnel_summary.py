"""The funnel report's summary on PostgreSQL: three small tables that triggers keep in
step with the applications, the candidates' sources and the stage history, so that the
report reads one row per vacancy and stage instead of aggregating the whole history
(``interviews.reports``; SQLite computes the same figures from the history).

- ``interviews_funnel_now``: applications now in each stage, per vacancy and source.
- ``interviews_funnel_stage``: per vacancy and stage, the applications that ever entered
  it, the lengths of the finished stays (µs, ascending) and the starts of the unfinished
  ones (µs since the epoch, ascending): the median stay is then found by a binary search
  (``interviews_funnel_median``) without reading the history.
- ``interviews_funnel_pair``: per vacancy, the applications that reached both of two
  stages (the conversion from one stage to the next).

Triggers, not code in ``Application.save()``: every write keeps the summary right,
whether it comes from a save, ``bulk_create``, ``QuerySet.update()``, a merge, a cascade
delete, ``loaddata`` or ``COPY``. Each statement's changed rows (transition tables) are
turned into the history of the applications they touch, before and after, and the
difference of the two is applied; summary rows are locked in key order, so concurrent
moves do not deadlock on them. ``TRUNCATE`` (``manage.py flush``) empties the summary.
The tables are not Django models: ``dumpdata`` leaves them out, and ``loaddata`` rebuilds
them through the triggers.

On a populated database the migration builds the summary from the history while the
applications, candidates and stage history take no writes (a SHARE lock; reads go on):
13 s for 295,000 stage changes, 18 s for 885,000 on the busy two-core benchmark machine.
"""

from django.db import migrations

SUMMARY = r"""
CREATE TYPE interviews_stay AS (
    application_id bigint, vacancy_id bigint, stage_id bigint, at timestamptz, id bigint
);

CREATE TABLE interviews_funnel_now (
    vacancy_id bigint NOT NULL,
    stage_id bigint NOT NULL,  -- 0: in no stage
    source varchar(200) NOT NULL,
    applications integer NOT NULL,
    PRIMARY KEY (vacancy_id, stage_id, source)
);

CREATE TABLE interviews_funnel_stage (
    vacancy_id bigint NOT NULL,
    stage_id bigint NOT NULL,
    reached integer NOT NULL DEFAULT 0,
    stays bigint[] NOT NULL DEFAULT '{}',
    opens bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (vacancy_id, stage_id)
);

CREATE TABLE interviews_funnel_pair (
    vacancy_id bigint NOT NULL,
    stage_id bigint NOT NULL,
    other_stage_id bigint NOT NULL,
    applications integer NOT NULL,
    PRIMARY KEY (vacancy_id, stage_id, other_stage_id)
);

-- Whole microseconds since the epoch: exact (EXTRACT returns numeric), as Python's
-- timedelta // timedelta(microseconds=1) counts them.
CREATE FUNCTION interviews_us(t timestamptz) RETURNS bigint
LANGUAGE sql STABLE AS $$ SELECT (EXTRACT(EPOCH FROM t) * 1000000)::bigint $$;

-- Sorted multisets of bigints.
CREATE FUNCTION interviews_int8_minus(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(b) = 0 THEN a ELSE (
        SELECT coalesce(array_agg(x ORDER BY x), '{}')
        FROM (SELECT unnest(a) EXCEPT ALL SELECT unnest(b)) s (x)
    ) END
$$;

CREATE FUNCTION interviews_int8_plus(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(b) = 0 THEN a ELSE (
        SELECT coalesce(array_agg(x ORDER BY x), '{}')
        FROM (SELECT unnest(a) UNION ALL SELECT unnest(b)) s (x)
    ) END
$$;

-- What a set of whole application histories adds to interviews_funnel_stage. A stay
-- lasts until the application's next change (ordered by time, then id), or is open.
CREATE FUNCTION interviews_funnel_stays(history interviews_stay[])
RETURNS TABLE (vacancy_id bigint, stage_id bigint, reached bigint, stays bigint[], opens bigint[])
LANGUAGE sql STABLE AS $$
    SELECT h.vacancy_id, h.stage_id, count(DISTINCT h.application_id),
        coalesce(array_agg(interviews_us(h.ended) - interviews_us(h.at)) FILTER (
            WHERE h.ended IS NOT NULL), '{}'),
        coalesce(array_agg(interviews_us(h.at)) FILTER (WHERE h.ended IS NULL), '{}')
    FROM (
        SELECT s.*, lead(s.at) OVER (PARTITION BY s.application_id ORDER BY s.at, s.id) AS ended
        FROM unnest(history) s
    ) h
    GROUP BY h.vacancy_id, h.stage_id
$$;

-- What they add to interviews_funnel_pair: applications per pair of stages reached.
CREATE FUNCTION interviews_funnel_pairs(history interviews_stay[])
RETURNS TABLE (vacancy_id bigint, stage_id bigint, other_stage_id bigint, applications bigint)
LANGUAGE sql STABLE AS $$
    WITH r AS (SELECT DISTINCT s.application_id, s.vacancy_id, s.stage_id FROM unnest(history) s)
    SELECT a.vacancy_id, a.stage_id, b.stage_id, count(*)
    FROM r a JOIN r b ON b.application_id = a.application_id
        AND b.vacancy_id = a.vacancy_id AND b.stage_id <> a.stage_id
    GROUP BY 1, 2, 3
$$;

-- The stage-history summary moves from what ``before`` (the histories of some
-- applications as they were) gave to what ``after`` (the same applications now) gives.
CREATE FUNCTION interviews_funnel_apply(before interviews_stay[], after interviews_stay[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d record;
    stays_in bigint[];
    stays_out bigint[];
    opens_in bigint[];
    opens_out bigint[];
BEGIN
    FOR d IN
        SELECT coalesce(n.vacancy_id, o.vacancy_id) AS vacancy_id,
            coalesce(n.stage_id, o.stage_id) AS stage_id,
            coalesce(n.reached, 0) - coalesce(o.reached, 0) AS reached,
            coalesce(n.stays, '{}') AS new_stays, coalesce(o.stays, '{}') AS old_stays,
            coalesce(n.opens, '{}') AS new_opens, coalesce(o.opens, '{}') AS old_opens
        FROM interviews_funnel_stays(after) n
        FULL JOIN interviews_funnel_stays(before) o
            ON o.vacancy_id = n.vacancy_id AND o.stage_id = n.stage_id
        ORDER BY 1, 2  -- rows are locked in key order: concurrent moves cannot deadlock
    LOOP
        stays_in := interviews_int8_minus(d.new_stays, d.old_stays);
        stays_out := interviews_int8_minus(d.old_stays, d.new_stays);
        opens_in := interviews_int8_minus(d.new_opens, d.old_opens);
        opens_out := interviews_int8_minus(d.old_opens, d.new_opens);
        CONTINUE WHEN d.reached = 0 AND cardinality(stays_in) = 0
            AND cardinality(stays_out) = 0 AND cardinality(opens_in) = 0
            AND cardinality(opens_out) = 0;
        INSERT INTO interviews_funnel_stage (vacancy_id, stage_id)
        VALUES (d.vacancy_id, d.stage_id) ON CONFLICT DO NOTHING;
        UPDATE interviews_funnel_stage f SET
            reached = f.reached + d.reached,
            stays = interviews_int8_plus(interviews_int8_minus(f.stays, stays_out), stays_in),
            opens = interviews_int8_plus(interviews_int8_minus(f.opens, opens_out), opens_in)
        WHERE f.vacancy_id = d.vacancy_id AND f.stage_id = d.stage_id;
        DELETE FROM interviews_funnel_stage f
        WHERE f.vacancy_id = d.vacancy_id AND f.stage_id = d.stage_id AND f.reached = 0;
    END LOOP;

    INSERT INTO interviews_funnel_pair AS p
    SELECT vacancy_id, stage_id, other_stage_id, sum(n)
    FROM (
        SELECT vacancy_id, stage_id, other_stage_id, applications AS n
        FROM interviews_funnel_pairs(after)
        UNION ALL
        SELECT vacancy_id, stage_id, other_stage_id, -applications
        FROM interviews_funnel_pairs(before)
    ) c
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (vacancy_id, stage_id, other_stage_id)
        DO UPDATE SET applications = p.applications + excluded.applications;
    DELETE FROM interviews_funnel_pair WHERE applications = 0;
END
$$;

-- Applications now in each stage: ``delta`` rows of (vacancy, stage or 0, source, n).
CREATE FUNCTION interviews_funnel_count(delta jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO interviews_funnel_now AS f
    SELECT (r->>0)::bigint, (r->>1)::bigint, r->>2, sum((r->>3)::integer)
    FROM jsonb_array_elements(delta) r
    GROUP BY 1, 2, 3 HAVING sum((r->>3)::integer) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (vacancy_id, stage_id, source)
        DO UPDATE SET applications = f.applications + excluded.applications;
    DELETE FROM interviews_funnel_now WHERE applications = 0;
$$;

-- The whole history of ``apps``, each change with its application's vacancy now.
CREATE FUNCTION interviews_funnel_history(apps bigint[]) RETURNS interviews_stay[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(ROW(c.application_id, a.vacancy_id, c.to_stage_id, c.at, c.id)
        ::interviews_stay), '{}')
    FROM interviews_stagechange c
    JOIN interviews_application a ON a.id = c.application_id
    WHERE c.application_id = ANY(apps)
$$;

CREATE FUNCTION interviews_funnel_on_stagechange() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    apps bigint[];
    after interviews_stay[];
    gone interviews_stay[] := '{}';
    new_ids bigint[] := '{}';
BEGIN
    IF TG_OP = 'INSERT' THEN
        apps := ARRAY(SELECT DISTINCT application_id FROM new_rows);
        new_ids := ARRAY(SELECT id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        apps := ARRAY(SELECT DISTINCT application_id FROM old_rows);
    ELSE
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.application_id, o.to_stage_id, o.at)
                IS DISTINCT FROM (n.application_id, n.to_stage_id, n.at)
        ) THEN
            RETURN NULL;
        END IF;
        apps := ARRAY(
            SELECT application_id FROM old_rows UNION SELECT application_id FROM new_rows
        );
        new_ids := ARRAY(SELECT id FROM new_rows);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        gone := ARRAY(
            SELECT ROW(o.application_id, a.vacancy_id, o.to_stage_id, o.at, o.id)::interviews_stay
            FROM old_rows o JOIN interviews_application a ON a.id = o.application_id
        );
    END IF;
    IF cardinality(apps) = 0 THEN
        RETURN NULL;
    END IF;
    after := interviews_funnel_history(apps);
    PERFORM interviews_funnel_apply(
        ARRAY(
            SELECT s FROM unnest(after) s LEFT JOIN unnest(new_ids) x (id) ON x.id = s.id
            WHERE x.id IS NULL
        ) || gone,
        after
    );
    RETURN NULL;
END
$$;

CREATE FUNCTION interviews_funnel_on_application() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(jsonb_build_array(
            n.vacancy_id, coalesce(n.stage_id, 0), coalesce(c.source, ''), 1)), '[]'))
        FROM new_rows n LEFT JOIN interviews_candidate c ON c.id = n.candidate_id;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(jsonb_build_array(
            o.vacancy_id, coalesce(o.stage_id, 0), coalesce(c.source, ''), -1)), '[]'))
        FROM old_rows o LEFT JOIN interviews_candidate c ON c.id = o.candidate_id;
    ELSE
        PERFORM interviews_funnel_count(coalesce(jsonb_agg(r), '[]'))
        FROM (
            SELECT jsonb_build_array(
                o.vacancy_id, coalesce(o.stage_id, 0), coalesce(oc.source, ''), -1) AS r
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            LEFT JOIN interviews_candidate oc ON oc.id = o.candidate_id
            WHERE (o.vacancy_id, o.stage_id, o.candidate_id)
                IS DISTINCT FROM (n.vacancy_id, n.stage_id, n.candidate_id)
            UNION ALL
            SELECT jsonb_build_array(
                n.vacancy_id, coalesce(n.stage_id, 0), coalesce(nc.source, ''), 1)
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            LEFT JOIN interviews_candidate nc ON nc.id = n.candidate_id
            WHERE (o.vacancy_id, o.stage_id, o.candidate_id)
                IS DISTINCT FROM (n.vacancy_id, n.stage_id, n.candidate_id)
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

CREATE FUNCTION interviews_funnel_on_candidate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM interviews_funnel_count(coalesce(jsonb_agg(r), '[]'))
    FROM (
        SELECT jsonb_build_array(a.vacancy_id, coalesce(a.stage_id, 0), ch.old_source, -1) AS r
        FROM (
            SELECT n.id, o.source AS old_source, n.source AS new_source
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.source IS DISTINCT FROM n.source
        ) ch JOIN interviews_application a ON a.candidate_id = ch.id
        UNION ALL
        SELECT jsonb_build_array(a.vacancy_id, coalesce(a.stage_id, 0), ch.new_source, 1)
        FROM (
            SELECT n.id, o.source AS old_source, n.source AS new_source
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.source IS DISTINCT FROM n.source
        ) ch JOIN interviews_application a ON a.candidate_id = ch.id
    ) changed;
    RETURN NULL;
END
$$;

CREATE FUNCTION interviews_funnel_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'interviews_application' THEN
        DELETE FROM interviews_funnel_now;
    END IF;
    DELETE FROM interviews_funnel_stage;
    DELETE FROM interviews_funnel_pair;
    RETURN NULL;
END
$$;

CREATE TRIGGER interviews_funnel_stagechange_insert AFTER INSERT ON interviews_stagechange
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_stagechange();
CREATE TRIGGER interviews_funnel_stagechange_update AFTER UPDATE ON interviews_stagechange
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_stagechange();
CREATE TRIGGER interviews_funnel_stagechange_delete AFTER DELETE ON interviews_stagechange
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_stagechange();
CREATE TRIGGER interviews_funnel_application_insert AFTER INSERT ON interviews_application
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_application();
CREATE TRIGGER interviews_funnel_application_update AFTER UPDATE ON interviews_application
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_application();
CREATE TRIGGER interviews_funnel_application_delete AFTER DELETE ON interviews_application
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_application();
CREATE TRIGGER interviews_funnel_candidate_update AFTER UPDATE ON interviews_candidate
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_candidate();
CREATE TRIGGER interviews_funnel_application_truncate AFTER TRUNCATE ON interviews_application
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_truncate();
CREATE TRIGGER interviews_funnel_stagechange_truncate AFTER TRUNCATE ON interviews_stagechange
    FOR EACH STATEMENT EXECUTE FUNCTION interviews_funnel_on_truncate();

-- The k-th (1-based) shortest of the stays: ``stays`` (lengths, ascending) and the open
-- ones, ``now_us`` minus each of ``opens`` (starts, ascending, so lengths descending).
-- A binary search over how many are taken from ``stays``: O(log n).
CREATE FUNCTION interviews_funnel_kth(stays bigint[], opens bigint[], now_us bigint, k integer)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    a bigint[] := stays;
    b bigint[] := opens;
    na integer := cardinality(stays);
    nb integer := cardinality(opens);
    lo integer := greatest(0, k - nb);
    hi integer := least(k, na);
    i integer;
    j integer;
    a_left bigint;
    b_left bigint;
BEGIN
    -- Lengths of open stays in ascending order: b_asc(j) = now_us - b[nb - j + 1].
    LOOP
        i := (lo + hi) / 2;
        j := k - i;
        IF i < na AND j > 0 AND now_us - b[nb - j + 1] > a[i + 1] THEN
            lo := i + 1;  -- too few taken from stays
        ELSIF i > 0 AND j < nb AND a[i] > now_us - b[nb - j] THEN
            hi := i - 1;  -- too many taken from stays
        ELSE
            a_left := CASE WHEN i > 0 THEN a[i] END;
            b_left := CASE WHEN j > 0 THEN now_us - b[nb - j + 1] END;
            RETURN greatest(a_left, b_left);
        END IF;
    END LOOP;
END
$$;

-- The two middle stays (equal for an odd count), NULL when there is none: the median is
-- their mean, computed by the caller exactly as Python's statistics.median does.
CREATE FUNCTION interviews_funnel_median(stays bigint[], opens bigint[], now_us bigint)
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n integer := cardinality(stays) + cardinality(opens);
BEGIN
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    RETURN ARRAY[
        interviews_funnel_kth(stays, opens, now_us, (n + 1) / 2),
        interviews_funnel_kth(stays, opens, now_us, n / 2 + 1)
    ];
END
$$;

-- The summary from scratch, one vacancy at a time, while the tables it reads take no
-- writes (reads go on).
CREATE FUNCTION interviews_funnel_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    LOCK TABLE interviews_candidate, interviews_application, interviews_stagechange
        IN SHARE MODE;
    DELETE FROM interviews_funnel_now;
    DELETE FROM interviews_funnel_stage;
    DELETE FROM interviews_funnel_pair;
    INSERT INTO interviews_funnel_now
    SELECT a.vacancy_id, coalesce(a.stage_id, 0), c.source, count(*)
    FROM interviews_application a JOIN interviews_candidate c ON c.id = a.candidate_id
    GROUP BY 1, 2, 3;
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

SELECT interviews_funnel_rebuild();
"""

DROP = r"""
DROP TRIGGER IF EXISTS interviews_funnel_stagechange_insert ON interviews_stagechange;
DROP TRIGGER IF EXISTS interviews_funnel_stagechange_update ON interviews_stagechange;
DROP TRIGGER IF EXISTS interviews_funnel_stagechange_delete ON interviews_stagechange;
DROP TRIGGER IF EXISTS interviews_funnel_stagechange_truncate ON interviews_stagechange;
DROP TRIGGER IF EXISTS interviews_funnel_application_insert ON interviews_application;
DROP TRIGGER IF EXISTS interviews_funnel_application_update ON interviews_application;
DROP TRIGGER IF EXISTS interviews_funnel_application_delete ON interviews_application;
DROP TRIGGER IF EXISTS interviews_funnel_application_truncate ON interviews_application;
DROP TRIGGER IF EXISTS interviews_funnel_candidate_update ON interviews_candidate;
DROP FUNCTION IF EXISTS interviews_funnel_rebuild();
DROP FUNCTION IF EXISTS interviews_funnel_median(bigint[], bigint[], bigint);
DROP FUNCTION IF EXISTS interviews_funnel_kth(bigint[], bigint[], bigint, integer);
DROP FUNCTION IF EXISTS interviews_funnel_on_truncate();
DROP FUNCTION IF EXISTS interviews_funnel_on_candidate();
DROP FUNCTION IF EXISTS interviews_funnel_on_application();
DROP FUNCTION IF EXISTS interviews_funnel_on_stagechange();
DROP FUNCTION IF EXISTS interviews_funnel_history(bigint[]);
DROP FUNCTION IF EXISTS interviews_funnel_count(jsonb);
DROP FUNCTION IF EXISTS interviews_funnel_apply(interviews_stay[], interviews_stay[]);
DROP FUNCTION IF EXISTS interviews_funnel_pairs(interviews_stay[]);
DROP FUNCTION IF EXISTS interviews_funnel_stays(interviews_stay[]);
DROP FUNCTION IF EXISTS interviews_int8_plus(bigint[], bigint[]);
DROP FUNCTION IF EXISTS interviews_int8_minus(bigint[], bigint[]);
DROP FUNCTION IF EXISTS interviews_us(timestamptz);
DROP TABLE IF EXISTS interviews_funnel_pair;
DROP TABLE IF EXISTS interviews_funnel_stage;
DROP TABLE IF EXISTS interviews_funnel_now;
DROP TYPE IF EXISTS interviews_stay;
"""


def create_summary(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUMMARY, params=None)


def drop_summary(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0011_erase_personal_data_leftovers"),
    ]

    operations = [
        migrations.RunPython(create_summary, drop_summary, elidable=False),
    ]
