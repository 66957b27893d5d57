-- 008_compact.sql: compact responses and uploads near the machine's limit.
--
-- * `codes` becomes a bytea: byte 0 is the width of a code (1 or 2 bytes), then one code per
--   slot, big-endian, stored as code + 1 (0 = no answer). A response of the individual form
--   keeps its 30 coded answers in 31 bytes instead of an 84-byte smallint[].
--   sipas_codes(bytea) gives the smallint[] back, sipas_code(bytea, slot) one code (slot from
--   0), sipas_codes_pack(smallint[]) makes the bytea (for a COPY by hand).
-- * `answers` keeps only the answers that `codes` does not (text, several-choice and number
--   questions); NULL when there are none. Rows stored before keep their whole object; every
--   reader takes the coded answers from `codes`, so both read the same. sipas_answers(r) gives
--   a response's whole answers object back (for people and tests; the program never needs it).
-- * `content_hash` (the check that a resend carries the same answers) is kept for the web and
--   API channels, which resend by client id; paper rows are told apart by serial and have none.
-- * The per-row foreign keys of `responses` (round, agency, upload) become per-statement checks
--   of the inserted or changed rows, and deleting a referenced round, agency or upload is
--   refused: the same constraint, paid once per statement instead of once per row. An upload,
--   which checked every row's agency against the round's list itself and names its own round
--   and upload (both locked FOR KEY SHARE), sets sipas.refs_checked = 'on' (SET LOCAL) and
--   skips the statement's check; every other writer (the intake, a COPY by hand) is checked.
-- * An upload folds its rows into the kept aggregates in its own transaction; it sets
--   sipas.folded = 'on' (SET LOCAL) so that its rows are not queued in est_pending.
-- * The index on (survey_id, agency_id) is dropped: no query reads responses by agency (the
--   fieldwork counts are kept in est_counts).

CREATE FUNCTION sipas_codes_pack(c smallint[]) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce(max(v), 0) < 255 THEN
                '\x01'::bytea || coalesce(decode(string_agg(lpad(to_hex(coalesce(v + 1, 0)), 2, '0'), '' ORDER BY i), 'hex'), '')
           ELSE
                '\x02'::bytea || decode(string_agg(lpad(to_hex(coalesce(v + 1, 0)), 4, '0'), '' ORDER BY i), 'hex')
           END
      FROM unnest(c) WITH ORDINALITY AS u(v, i)
$$;

CREATE FUNCTION sipas_code(c bytea, slot integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN get_byte(c, 0) = 1 THEN
                CASE WHEN slot >= 0 AND 1 + slot < length(c) THEN nullif(get_byte(c, 1 + slot), 0) - 1 END
           ELSE
                CASE WHEN slot >= 0 AND 2 + 2 * slot < length(c)
                     THEN nullif(get_byte(c, 1 + 2 * slot) * 256 + get_byte(c, 2 + 2 * slot), 0) - 1 END
           END
$$;

CREATE FUNCTION sipas_codes(c bytea) RETURNS smallint[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(sipas_code(c, s)::smallint ORDER BY s), '{}')
      FROM generate_series(0, (length(c) - 1) / get_byte(c, 0) - 1) AS s
$$;

ALTER TABLE responses ALTER COLUMN codes TYPE bytea USING sipas_codes_pack(codes);
ALTER TABLE responses ALTER COLUMN answers DROP NOT NULL;
ALTER TABLE responses ALTER COLUMN content_hash DROP NOT NULL;
ALTER TABLE responses ADD CONSTRAINT responses_codes_check
    CHECK (length(codes) >= 1 AND get_byte(codes, 0) IN (1, 2));
DROP INDEX responses_survey_agency;

ALTER TABLE responses DROP CONSTRAINT responses_survey_id_fkey;
ALTER TABLE responses DROP CONSTRAINT responses_agency_id_fkey;
ALTER TABLE responses DROP CONSTRAINT responses_upload_id_fkey;

-- The rows a statement inserted or changed (est_new): the rounds, agencies and uploads they
-- name must exist; an insert's rows are queued for the fold unless they are folded already.
CREATE FUNCTION responses_new_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad text;
BEGIN
    IF coalesce(current_setting('sipas.refs_checked', true), '') = 'on' THEN
        bad := NULL;
    ELSE
    -- the few distinct references first: a million rows name a handful
    SELECT format('round %s, agency %s, upload %s', t.survey_id, t.agency_id, t.upload_id) INTO bad
      FROM (SELECT DISTINCT survey_id, agency_id, upload_id FROM est_new) t
     WHERE NOT EXISTS (SELECT 1 FROM surveys s WHERE s.id = t.survey_id)
        OR NOT EXISTS (SELECT 1 FROM agencies a WHERE a.id = t.agency_id)
        OR (t.upload_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.id = t.upload_id))
     LIMIT 1;
    END IF;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'a response names a round, agency or upload that does not exist (%)', bad
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'INSERT' AND coalesce(current_setting('sipas.folded', true), '') <> 'on' THEN
        INSERT INTO est_pending (survey_id, response_id)
            SELECT survey_id, id FROM est_new WHERE NOT withdrawn;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER est_responses_inserted ON responses;
DROP FUNCTION est_responses_inserted();
CREATE TRIGGER responses_inserted AFTER INSERT ON responses
    REFERENCING NEW TABLE AS est_new
    FOR EACH STATEMENT EXECUTE FUNCTION responses_new_rows();
CREATE TRIGGER responses_updated AFTER UPDATE ON responses
    REFERENCING NEW TABLE AS est_new
    FOR EACH STATEMENT EXECUTE FUNCTION responses_new_rows();

-- Deleting what a response names is refused, as the foreign keys did.
CREATE FUNCTION responses_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := TG_ARGV[0];
BEGIN
    IF EXISTS (SELECT 1 FROM responses r WHERE
               CASE col WHEN 'survey_id' THEN r.survey_id IN (SELECT id FROM gone)
                        WHEN 'agency_id' THEN r.agency_id IN (SELECT id FROM gone)
                        ELSE r.upload_id IN (SELECT id FROM gone) END) THEN
        RAISE EXCEPTION 'responses still name this % (%)', TG_TABLE_NAME, col
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER responses_referenced AFTER DELETE ON surveys
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION responses_referenced('survey_id');
CREATE TRIGGER responses_referenced AFTER DELETE ON agencies
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION responses_referenced('agency_id');
CREATE TRIGGER responses_referenced AFTER DELETE ON uploads
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION responses_referenced('upload_id');
-- and so is changing an id that a response names
CREATE FUNCTION responses_referenced_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the id of a % does not change', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
END $$;
CREATE TRIGGER responses_referenced_id BEFORE UPDATE OF id ON surveys
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION responses_referenced_id();
CREATE TRIGGER responses_referenced_id BEFORE UPDATE OF id ON agencies
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION responses_referenced_id();
CREATE TRIGGER responses_referenced_id BEFORE UPDATE OF id ON uploads
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION responses_referenced_id();

-- A response's whole answers object: `answers` and the coded answers under their question ids
-- (the slots are the form's scale and single questions, in order).
CREATE FUNCTION sipas_answers(r responses) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(r.answers, '{}') || coalesce((
        SELECT jsonb_object_agg(k.id, k.code) FROM (
            SELECT q.q->>'id' AS id,
                   sipas_code(r.codes, (row_number() OVER (ORDER BY s.i, q.j) - 1)::int) AS code
              FROM surveys sv JOIN forms f ON f.id = sv.form_id,
                   jsonb_array_elements(f.definition::jsonb->'sections') WITH ORDINALITY AS s(sec, i),
                   jsonb_array_elements(s.sec->'questions') WITH ORDINALITY AS q(q, j)
             WHERE sv.id = r.survey_id AND q.q->>'type' IN ('scale', 'single')) k
         WHERE k.code IS NOT NULL), '{}')
$$;

-- A new round has no response: its (empty) cells are current, so an upload into it folds its
-- own rows instead of leaving the whole round to a rebuild.
CREATE OR REPLACE FUNCTION est_survey_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO est_state (survey_id, stale) VALUES (NEW.id, false) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
UPDATE est_state e SET stale = false
 WHERE stale
   AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.survey_id = e.survey_id)
   AND NOT EXISTS (SELECT 1 FROM est_cells c WHERE c.survey_id = e.survey_id)
   AND NOT EXISTS (SELECT 1 FROM est_counts c WHERE c.survey_id = e.survey_id);
