-- 001_schema.sql: the whole product's tables.
-- Applied once, in its own transaction, by `sipas migrate` (see sql/db-migrate.c).

CREATE TABLE agencies (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    level       text NOT NULL CHECK (level IN ('province', 'department', 'commune')),
    parent_id   integer REFERENCES agencies (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A form version, kept exactly as loaded. A version that a round uses never changes.
CREATE TABLE forms (
    id          serial PRIMARY KEY,
    form_key    text NOT NULL,
    version     integer NOT NULL CHECK (version > 0),
    title       text NOT NULL,
    definition  text NOT NULL,
    sha256      bytea NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (form_key, version)
);

-- A survey round (đợt khảo sát).
CREATE TABLE surveys (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    form_id         integer NOT NULL REFERENCES forms (id),
    title           text NOT NULL,
    baseline        double precision CHECK (baseline IS NULL OR baseline BETWEEN 0 AND 100),
    baseline_label  text,
    access          text NOT NULL DEFAULT 'open' CHECK (access IN ('open', 'invite')),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The round's sampling frame: N_h per stratum and the planned sample n_h.
CREATE TABLE strata (
    survey_id   integer NOT NULL REFERENCES surveys (id),
    stratum     text NOT NULL,
    agency_id   integer REFERENCES agencies (id),
    population  bigint NOT NULL CHECK (population > 0),
    target      integer CHECK (target IS NULL OR target >= 0),
    PRIMARY KEY (survey_id, stratum)
);

-- The agencies a round covers (the web form's choice list). Empty = every agency.
CREATE TABLE survey_agencies (
    survey_id   integer NOT NULL REFERENCES surveys (id),
    agency_id   integer NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (survey_id, agency_id)
);

-- API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
    id          serial PRIMARY KEY,
    secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    role        text NOT NULL CHECK (role IN ('admin', 'team', 'analyst')),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE token_agencies (
    token_id    integer NOT NULL REFERENCES tokens (id),
    agency_id   integer NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (token_id, agency_id)
);

-- Browser sessions made by POST /login; only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    id_hash     bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    token_id    integer NOT NULL REFERENCES tokens (id),
    csrf        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

-- Paper-result files. A withdrawn upload's responses stop counting; nothing is deleted.
CREATE TABLE uploads (
    id              bigserial PRIMARY KEY,
    survey_id       integer NOT NULL REFERENCES surveys (id),
    token_id        integer REFERENCES tokens (id),
    file_name       text,
    sha256          bytea NOT NULL,
    rows            integer NOT NULL,
    status          text NOT NULL DEFAULT 'stored' CHECK (status IN ('stored', 'withdrawn')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    withdrawn_at    timestamptz,
    withdrawn_by    integer REFERENCES tokens (id)
);
CREATE UNIQUE INDEX uploads_same_file ON uploads (survey_id, sha256) WHERE status = 'stored';

-- One-time invitation codes: only the SHA-256 of the code is stored; used once.
CREATE TABLE invites (
    code_hash   bytea PRIMARY KEY CHECK (length(code_hash) = 32),
    survey_id   integer NOT NULL REFERENCES surveys (id),
    agency_id   integer NOT NULL REFERENCES agencies (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    response_id bigint
);

-- One row per response. `codes` holds the coded answers of the form's scale and single
-- questions in slot order (NULL = no answer), so estimation never re-parses `answers`.
CREATE TABLE responses (
    id              bigserial PRIMARY KEY,
    survey_id       integer NOT NULL REFERENCES surveys (id),
    client_id       uuid,
    agency_id       integer NOT NULL REFERENCES agencies (id),
    channel         text NOT NULL CHECK (channel IN ('web', 'paper', 'phone', 'api')),
    serial          text,
    stratum         text NOT NULL,
    psu             text,
    weight          double precision CHECK (weight IS NULL OR weight > 0),
    fpc             double precision CHECK (fpc IS NULL OR fpc > 0),
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    received_at     timestamptz NOT NULL DEFAULT now(),
    codes           smallint[] NOT NULL,
    answers         jsonb NOT NULL,
    content_hash    bytea NOT NULL,
    upload_id       bigint REFERENCES uploads (id),
    withdrawn       boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX responses_client_id ON responses (survey_id, client_id) WHERE client_id IS NOT NULL;
CREATE UNIQUE INDEX responses_serial ON responses (survey_id, serial) WHERE serial IS NOT NULL AND NOT withdrawn;
CREATE INDEX responses_survey_agency ON responses (survey_id, agency_id);
CREATE INDEX responses_upload ON responses (upload_id) WHERE upload_id IS NOT NULL;

-- Who did what, when. Written in the same transaction as the change it records.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    token_id    integer REFERENCES tokens (id),
    actor       text NOT NULL,
    action      text NOT NULL,
    survey_id   integer REFERENCES surveys (id),
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
