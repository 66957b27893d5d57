-- 011_upload_range.sql: one index fewer to write for every uploaded response. The index on
-- responses (upload_id) served only withdrawing an upload and the rare refold of one; an
-- upload's responses are now found by the range of their ids, kept on the upload (bench/upload:
-- the index took about a sixth of the database's time for an upload).
--
-- The rule: every response that names an upload has an id in [first_response, last_response]
-- of that upload (the range may hold other responses too: it is read with the upload's id).
-- * An upload sets its range when it stores its rows (db-uploads.c: the sequence's value
--   before its first row and after its last, in its own session).
-- * Any other statement that stores responses naming an upload (a COPY by hand, an UPDATE)
--   widens that upload's range (responses_new_rows below).
ALTER TABLE uploads ADD COLUMN first_response bigint, ADD COLUMN last_response bigint;
UPDATE uploads u SET first_response = r.lo, last_response = r.hi
  FROM (SELECT upload_id, min(id) AS lo, max(id) AS hi FROM responses
         WHERE upload_id IS NOT NULL GROUP BY upload_id) r
 WHERE r.upload_id = u.id;
DROP INDEX responses_upload;

CREATE OR REPLACE FUNCTION responses_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad text;
BEGIN
    IF coalesce(current_setting('sipas.refs_checked', true), '') <> 'on' THEN
        -- the few distinct references first: a million rows name a handful
        SELECT format('round %s, agency %s, upload %s', t.survey_id, t.agency_id, t.upload_id) INTO bad
          FROM (SELECT DISTINCT survey_id, agency_id, upload_id FROM est_new) t
         WHERE NOT EXISTS (SELECT 1 FROM surveys s WHERE s.id = t.survey_id)
            OR NOT EXISTS (SELECT 1 FROM agencies a WHERE a.id = t.agency_id)
            OR (t.upload_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.id = t.upload_id))
         LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'a response names a round, agency or upload that does not exist (%)', bad
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        -- the uploads these rows name cover them (the rule above)
        UPDATE uploads u SET first_response = least(u.first_response, n.lo),
                             last_response = greatest(u.last_response, n.hi)
          FROM (SELECT upload_id, min(id) AS lo, max(id) AS hi FROM est_new
                 WHERE upload_id IS NOT NULL GROUP BY upload_id) n
         WHERE u.id = n.upload_id
           AND (u.first_response IS NULL OR u.last_response IS NULL
                OR n.lo < u.first_response OR n.hi > u.last_response);
    END IF;
    IF TG_OP = 'INSERT' AND coalesce(current_setting('sipas.folded', true), '') <> 'on' THEN
        INSERT INTO est_pending (survey_id, response_id)
            SELECT survey_id, id FROM est_new WHERE NOT withdrawn;
    END IF;
    RETURN NULL;
END $$;

-- Deleting what a response names is refused, as the foreign keys did; an upload's responses
-- are looked for within its range.
CREATE OR REPLACE FUNCTION responses_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
    named boolean;
BEGIN
    IF col = 'upload_id' THEN
        SELECT EXISTS (SELECT 1 FROM gone g JOIN responses r
                         ON r.id BETWEEN g.first_response AND g.last_response AND r.upload_id = g.id)
          INTO named;
    ELSE
        SELECT EXISTS (SELECT 1 FROM responses r WHERE
                       CASE col WHEN 'survey_id' THEN r.survey_id IN (SELECT id FROM gone)
                                ELSE r.agency_id IN (SELECT id FROM gone) END)
          INTO named;
    END IF;
    IF named THEN
        RAISE EXCEPTION 'responses still name this % (%)', TG_TABLE_NAME, col
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
