-- 009_rounds_notify.sql: what the citizens' form shows of a round (whether it is open, the
-- agencies it offers) is kept in each server's memory, so that a form page costs no query.
-- Every statement that changes a round, its list of agencies or an agency announces it with
-- NOTIFY sipas_rounds (at its commit, to every listening server of this database); a server
-- drops what it kept on that signal, and keeps nothing while it is not listening.

CREATE FUNCTION sipas_rounds_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sipas_rounds', '');
    RETURN NULL;
END $$;

CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON surveys
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON survey_agencies
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agencies
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
