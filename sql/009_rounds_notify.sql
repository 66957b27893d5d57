-- 009_rounds_notify.sql: what a server knows of a round while nothing changes is kept in its
-- memory: what the citizens' form shows (whether the round is open, the agencies it offers),
-- the version of the round's kept aggregates and the API tokens, so that a form page, an
-- analyst's question answered before or a token check costs no query. Every statement that
-- changes a round, its list of agencies, an agency, a round's aggregates' state (a fold, a
-- rebuild, responses marked stale), a token or a token's agencies (a revocation)
-- announces it with NOTIFY sipas_rounds (at its commit, to every listening server of this
-- database); a server drops what it kept on that signal, and keeps nothing while it is not
-- listening. Responses merely queued for the next fold announce nothing.

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
CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON est_state
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
CREATE TRIGGER rounds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON token_agencies
    FOR EACH STATEMENT EXECUTE FUNCTION sipas_rounds_changed();
