-- Row-version triggers of one replicated table. Placeholders: {{table}} (quoted, qualified),
-- {{table_name}} (literal 'schema.table'), {{stamp_fn}} / {{restamp_fn}} / {{tombstone_fn}} /
-- {{truncate_fn}} (the functions, qualified and quoted, with "()": TableObjectNames),
-- {{node}} (literal node id), {{pk_new}} / {{pk_old}} (jsonb_build_object of the key columns as
-- text), {{pk_changed}} (a key column of NEW differs from OLD's), {{pk_match_new}} (the key
-- columns equal NEW's), counters / dots (statements keeping the merge metadata the table's
-- policy needs).
--
-- The trigger functions run as their owner (the role of `syncline init`), so that the
-- application's roles need no privileges beyond those on their own tables: the functions read
-- pg_replication_origin_session_is_setup(), which PostgreSQL grants to superusers only, and
-- write syncline.tombstone. Their search_path holds nothing a writer can create objects in
-- (pg_catalog, then pg_temp, which is never searched for functions or operators), and every
-- function they call is schema-qualified: PostgreSQL picks the best-matching function across the
-- whole search_path, so with public in it a writer's public.jsonb_build_object(text, bigint)
-- would beat pg_catalog's variadic one and run as the owner (PostgreSQL manual, CREATE FUNCTION,
-- "Writing SECURITY DEFINER Functions Safely"; "Function Type Conversion"). Key columns are
-- compared with the equality operator of their primary-key index, named with its schema, which
-- also covers key types whose operators live outside pg_catalog (citext).
ALTER TABLE {{table}}
    ADD COLUMN IF NOT EXISTS syncline_hlc  bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS syncline_node text   NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS syncline_vv   jsonb  NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS syncline_delta jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS syncline_dots  jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS syncline_frontier jsonb;

-- A local write gets the version max(now, previous version + 1) of its row, or of the row's
-- tombstone for an insert, so that a write made after seeing another always orders after it.
-- This runs on every local write: syncline.is_apply_session(), now_hlc() and bump_vector() are
-- inlined, and the merge metadata blocks are empty unless the table's policy needs them.
CREATE OR REPLACE FUNCTION {{stamp_fn}} RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    previous_hlc      bigint;
    previous_vv       jsonb;
    same_row          boolean := false;
    previous_counters jsonb   := '{}'::jsonb;
    new_dot           jsonb;
BEGIN
    -- The re-stamp trigger's own UPDATE runs one trigger level down; a session that sets
    -- syncline.restamp itself does not skip the stamp.
    IF pg_catalog.pg_replication_origin_session_is_setup()
       OR (pg_catalog.current_setting('syncline.restamp', true) = 'on' AND pg_catalog.pg_trigger_depth() > 1) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- Locked: an applier that is merging a remote version into this tombstone holds it FOR
        -- UPDATE until it commits; a plain read would take the vector from before that merge and
        -- this insert would not have seen the remote version although the database had it
        -- (READ COMMITTED re-reads the newest version of a row it waited for).
        SELECT t.hlc, t.vv INTO previous_hlc, previous_vv
          FROM syncline.tombstone t WHERE t.table_name = {{table_name}} AND t.pk = {{pk_new}} FOR SHARE;
    ELSIF {{pk_changed}} THEN
        -- The old key disappears: record it like a delete.
        INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv)
        VALUES ({{table_name}}, {{pk_old}}, greatest(syncline.now_hlc(), OLD.syncline_hlc + 1), {{node}},
                syncline.bump_vector(OLD.syncline_vv, {{node}}))
        ON CONFLICT (table_name, pk) DO UPDATE
            SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, deleted_at = pg_catalog.now(), frontier = NULL, collect_checkpoint = NULL;
        SELECT t.hlc, t.vv INTO previous_hlc, previous_vv
          FROM syncline.tombstone t WHERE t.table_name = {{table_name}} AND t.pk = {{pk_new}} FOR SHARE;
    ELSE
        same_row := true;
        previous_hlc := OLD.syncline_hlc;
        previous_vv := OLD.syncline_vv;
    END IF;
    -- No tombstone: previous_hlc and previous_vv are NULL (version 0, empty vector).
    NEW.syncline_hlc := greatest(((EXTRACT(epoch FROM pg_catalog.clock_timestamp()) * 1000)::bigint + syncline.clock_offset_ms()) << 16,
                                 coalesce(previous_hlc, 0) + 1);
    NEW.syncline_node := {{node}};
    NEW.syncline_vv := coalesce(previous_vv, '{}'::jsonb)
                       || pg_catalog.jsonb_build_object({{node}}, coalesce((previous_vv ->> {{node}})::bigint, 0) + 1);
{{counters}}
{{dots}}
    -- A local write has seen every concurrent version the row was resolved from.
    NEW.syncline_frontier := NULL;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION {{tombstone_fn}} RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF pg_catalog.pg_replication_origin_session_is_setup() THEN
        RETURN NULL;
    END IF;
    INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv)
    VALUES ({{table_name}}, {{pk_old}}, greatest(syncline.now_hlc(), OLD.syncline_hlc + 1), {{node}},
            syncline.bump_vector(OLD.syncline_vv, {{node}}))
    ON CONFLICT (table_name, pk) DO UPDATE
        SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, deleted_at = pg_catalog.now(), frontier = NULL, collect_checkpoint = NULL;
    RETURN NULL;
END $$;

-- An INSERT runs the stamp trigger before it waits for a concurrent DELETE of the same key to
-- commit, so the stamp can miss the tombstone that DELETE leaves and give the row a version
-- that looks older than the delete. Once the row is in (the wait is over), check again and
-- re-stamp from the tombstone if it was missed.
CREATE OR REPLACE FUNCTION {{restamp_fn}} RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tomb_hlc  bigint;
    tomb_vv   jsonb;
    fixed_hlc bigint;
    fixed_vv  jsonb;
BEGIN
    IF pg_catalog.pg_replication_origin_session_is_setup() THEN
        RETURN NULL;
    END IF;
    SELECT t.hlc, t.vv INTO tomb_hlc, tomb_vv
      FROM syncline.tombstone t WHERE t.table_name = {{table_name}} AND t.pk = {{pk_new}};
    IF tomb_vv IS NULL OR syncline.vector_covers(NEW.syncline_vv, tomb_vv) THEN
        RETURN NULL;
    END IF;
    fixed_hlc := greatest(NEW.syncline_hlc, tomb_hlc + 1);
    fixed_vv := syncline.bump_vector(syncline.merge_vectors(tomb_vv, NEW.syncline_vv), {{node}});
    PERFORM pg_catalog.set_config('syncline.restamp', 'on', true);
    UPDATE {{table}}
       SET syncline_hlc = fixed_hlc,
           syncline_vv = fixed_vv,
           syncline_dots = (SELECT coalesce(pg_catalog.jsonb_object_agg(k, pg_catalog.jsonb_build_array({{node}}, (fixed_vv ->> {{node}})::bigint,
                                                                                   fixed_hlc)), '{}')
                              FROM pg_catalog.jsonb_object_keys(NEW.syncline_dots) k)
     WHERE {{pk_match_new}};
    PERFORM pg_catalog.set_config('syncline.restamp', 'off', true);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS syncline_stamp ON {{table}};
CREATE TRIGGER syncline_stamp BEFORE INSERT OR UPDATE ON {{table}}
    FOR EACH ROW EXECUTE FUNCTION {{stamp_fn}};
DROP TRIGGER IF EXISTS syncline_restamp ON {{table}};
CREATE TRIGGER syncline_restamp AFTER INSERT ON {{table}}
    FOR EACH ROW EXECUTE FUNCTION {{restamp_fn}};
DROP TRIGGER IF EXISTS syncline_tombstone ON {{table}};
CREATE TRIGGER syncline_tombstone AFTER DELETE ON {{table}}
    FOR EACH ROW EXECUTE FUNCTION {{tombstone_fn}};

-- TRUNCATE is not replicated (Debezium skips it), so a TRUNCATE here would leave the other
-- datacenters with their rows: refuse it, except in an apply session and where the operator
-- asks for a TRUNCATE at this datacenter only (SET LOCAL syncline.local_truncate = on).
-- Statement triggers are not cloned to partitions, so the installer adds this one to every
-- partition as well (PostgreSQL manual, CREATE TRIGGER).
CREATE OR REPLACE FUNCTION {{truncate_fn}} RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF pg_catalog.pg_replication_origin_session_is_setup()
       OR pg_catalog.current_setting('syncline.local_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'TRUNCATE of %.% refused: Syncline does not replicate TRUNCATE, so the other datacenters would keep the rows of %',
            TG_TABLE_SCHEMA, TG_TABLE_NAME, {{table_name}}
        USING ERRCODE = 'feature_not_supported',
              HINT = pg_catalog.format('Use DELETE FROM %I.%I, which replicates. To empty it at this datacenter only, run'
                  ' SET LOCAL syncline.local_truncate = on in the same transaction first.', TG_TABLE_SCHEMA, TG_TABLE_NAME);
END $$;

DROP TRIGGER IF EXISTS syncline_truncate ON {{table}};
CREATE TRIGGER syncline_truncate BEFORE TRUNCATE ON {{table}}
    FOR EACH STATEMENT EXECUTE FUNCTION {{truncate_fn}};
