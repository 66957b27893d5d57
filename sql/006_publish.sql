-- 006_publish.sql: published results (contract §8). A round's estimates by agency are open to
-- anyone at /results/{survey} only while `published` is true (`sipas survey publish|unpublish`).
ALTER TABLE surveys ADD COLUMN published boolean NOT NULL DEFAULT false;
-- The report's period (the first and the last response) read from an index, not a scan.
CREATE INDEX responses_survey_submitted ON responses (survey_id, submitted_at) WHERE NOT withdrawn;
