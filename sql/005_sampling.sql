-- 005_sampling.sql: samples drawn from the procedure registry and the contacts of the drawn
-- people (issue 11, contract §6).
--
-- Privacy by design:
--   * contacts live in their own schema, `contacts`, apart from responses and invitations: a
--     dump of the responses (or of the public schema) holds none, and the program reads them
--     only on the admin routes and commands, each read audited;
--   * no stored row links a response to an invitation: the invitation's response_id goes, and
--     the moment of use is kept to the day only (used_at is truncated when a code is spent),
--     so it cannot be matched with a response's received_at;
--   * `sipas invites purge` (and `sipas survey close` unless --keep-contacts) erases name,
--     phone, email, address and dossier, keeping the code and its use.

ALTER TABLE invites DROP COLUMN response_id;
-- true when `sipas sample draw` made the invitation (false: `sipas invites create`)
ALTER TABLE invites ADD COLUMN drawn boolean NOT NULL DEFAULT false;
CREATE INDEX invites_survey_agency ON invites (survey_id, agency_id);

CREATE FUNCTION invites_used_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.used_at IS NOT NULL THEN
        NEW.used_at := date_trunc('day', NEW.used_at, 'UTC');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER invites_used_day BEFORE INSERT OR UPDATE OF used_at ON invites
    FOR EACH ROW EXECUTE FUNCTION invites_used_day();
UPDATE invites SET used_at = used_at WHERE used_at IS NOT NULL;

-- The last draw of a round: its parameters, for the dashboard and the audit trail. The frame
-- it made is the round's strata; its invitations are invites with drawn = true.
CREATE TABLE sample_draws (
    survey_id       integer PRIMARY KEY REFERENCES surveys (id),
    registry_sha256 bytea NOT NULL CHECK (length(registry_sha256) = 32),
    registry_rows   bigint NOT NULL,
    period_from     date,
    period_to       date,
    margin          double precision NOT NULL,
    confidence      double precision NOT NULL,
    p               double precision NOT NULL,
    deff            double precision NOT NULL,
    min_per_agency  integer NOT NULL,
    response_rate   double precision NOT NULL,
    seed            numeric(20, 0) NOT NULL,
    drawn_at        timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA contacts;

-- One row per drawn invitation: the printed code (for letters and reminders) and the person's
-- contact details from the registry (erased by purge: the columns become NULL).
CREATE TABLE contacts.invite_contacts (
    code_hash   bytea PRIMARY KEY REFERENCES public.invites (code_hash) ON DELETE CASCADE,
    survey_id   integer NOT NULL REFERENCES public.surveys (id),
    code        text NOT NULL CHECK (length(code) = 19),
    dossier     text,
    name        text,
    phone       text,
    email       text,
    address     text,
    purged_at   timestamptz
);
CREATE INDEX invite_contacts_survey ON contacts.invite_contacts (survey_id);
