-- 010_upload_lean.sql: one index fewer to write for every stored response. The index on
-- (survey_id, submitted_at) served only the report's period (the first and the last response of
-- a round), which it now reads in one pass over the round's responses when a report is made;
-- every response stored, by the intake or an upload, skips that index's insert (bench/upload:
-- about a fifth of an upload's time).
DROP INDEX responses_survey_submitted;
