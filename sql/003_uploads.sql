-- 003_uploads.sql: paper-result uploads (issue 4).
-- Who made an upload when no token did (the CLI names the operating-system user), and the
-- history listing's order.
ALTER TABLE uploads ADD COLUMN actor text;
CREATE INDEX uploads_survey_created ON uploads (survey_id, created_at DESC);
