-- 007_offline.sql - the channel `interview` (face to face, entered on a device in the
-- interviewers' mode /collect/{survey}) joins the channels of the responses CSV
-- (survey-forms/channel.c is the one table of channels; this check repeats its codes).
ALTER TABLE responses DROP CONSTRAINT responses_channel_check;
ALTER TABLE responses ADD CONSTRAINT responses_channel_check
    CHECK (channel IN ('web', 'paper', 'phone', 'api', 'interview'));
