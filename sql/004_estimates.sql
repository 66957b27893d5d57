-- 004_estimates.sql: kept aggregates for the estimates API (issue 6).
--
-- The estimator needs only sums (method.md §4), so the server keeps them per round in
-- serialized cells of the design accumulator and folds new responses in as they arrive:
--   est_pending   responses not yet folded in; filled by a trigger in the inserting
--                 transaction, so a row appears here exactly when its response commits
--                 (commit order, not id order, decides; no response is skipped)
--   est_cells     per (grouping, agency, answer code, stratum): the cell's moment block and
--                 counts; grouping '' is the agency grain (code -1), grouping Q keeps one cell
--                 per answer code of single-choice question Q (-1 = no answer)
--   est_psus      per cell and clustered PSU: the PSU's totals
--   est_counts    responses per (agency, stratum, channel), for fieldwork progress
--   est_state     per round: stale = the cells must be rebuilt from the responses (set by
--                 triggers when a folded response is withdrawn, changed or deleted)

CREATE TABLE est_state (
    survey_id   integer PRIMARY KEY REFERENCES surveys (id),
    stale       boolean NOT NULL DEFAULT true,
    folded      bigint NOT NULL DEFAULT 0,       -- responses the cells hold
    watermark   bigint NOT NULL DEFAULT 0,       -- the highest response id folded in
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO est_state (survey_id) SELECT id FROM surveys;

CREATE TABLE est_pending (
    survey_id   integer NOT NULL,
    response_id bigint NOT NULL,
    PRIMARY KEY (survey_id, response_id)
);
INSERT INTO est_pending SELECT survey_id, id FROM responses WHERE NOT withdrawn;

CREATE TABLE est_cells (
    survey_id   integer NOT NULL REFERENCES surveys (id),
    grouping    text NOT NULL,
    agency_id   integer NOT NULL REFERENCES agencies (id),
    code        integer NOT NULL,
    stratum     text NOT NULL,
    cell        bytea NOT NULL,
    PRIMARY KEY (survey_id, grouping, agency_id, code, stratum)
);

CREATE TABLE est_psus (
    survey_id   integer NOT NULL REFERENCES surveys (id),
    grouping    text NOT NULL,
    agency_id   integer NOT NULL REFERENCES agencies (id),
    code        integer NOT NULL,
    stratum     text NOT NULL,
    psu         text NOT NULL,
    totals      bytea NOT NULL,
    PRIMARY KEY (survey_id, grouping, agency_id, code, stratum, psu)
);

CREATE TABLE est_counts (
    survey_id   integer NOT NULL REFERENCES surveys (id),
    agency_id   integer NOT NULL REFERENCES agencies (id),
    stratum     text NOT NULL,
    channel     text NOT NULL,
    n           bigint NOT NULL,
    PRIMARY KEY (survey_id, agency_id, stratum, channel)
);

CREATE FUNCTION est_survey_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO est_state (survey_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER est_survey_created AFTER INSERT ON surveys
    FOR EACH ROW EXECUTE FUNCTION est_survey_created();

CREATE FUNCTION est_responses_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO est_pending (survey_id, response_id)
        SELECT survey_id, id FROM est_new WHERE NOT withdrawn;
    RETURN NULL;
END $$;
CREATE TRIGGER est_responses_inserted AFTER INSERT ON responses
    REFERENCING NEW TABLE AS est_new
    FOR EACH STATEMENT EXECUTE FUNCTION est_responses_inserted();

-- Always an UPDATE (even of a row already stale): it makes a rebuild that read the responses
-- before this change fail to commit (REPEATABLE READ), so it is redone.
CREATE FUNCTION est_responses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE est_state SET stale = true, updated_at = now()
     WHERE survey_id IN (
        SELECT n.survey_id FROM est_new n JOIN est_old o ON o.id = n.id
         WHERE (o.withdrawn, o.survey_id, o.agency_id, o.channel, o.stratum, o.psu, o.weight, o.fpc, o.codes)
               IS DISTINCT FROM
               (n.withdrawn, n.survey_id, n.agency_id, n.channel, n.stratum, n.psu, n.weight, n.fpc, n.codes)
        UNION
        SELECT o.survey_id FROM est_new n JOIN est_old o ON o.id = n.id WHERE o.survey_id <> n.survey_id);
    RETURN NULL;
END $$;
CREATE TRIGGER est_responses_changed AFTER UPDATE ON responses
    REFERENCING OLD TABLE AS est_old NEW TABLE AS est_new
    FOR EACH STATEMENT EXECUTE FUNCTION est_responses_changed();

CREATE FUNCTION est_responses_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE est_state SET stale = true, updated_at = now()
     WHERE survey_id IN (SELECT survey_id FROM est_old);
    DELETE FROM est_pending p USING est_old o WHERE p.survey_id = o.survey_id AND p.response_id = o.id;
    RETURN NULL;
END $$;
CREATE TRIGGER est_responses_deleted AFTER DELETE ON responses
    REFERENCING OLD TABLE AS est_old
    FOR EACH STATEMENT EXECUTE FUNCTION est_responses_deleted();
