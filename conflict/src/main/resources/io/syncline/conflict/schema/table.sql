-- Row-version triggers of one replicated table. Placeholders: {{table}} (quoted, qualified),
-- {{table_name}} (literal 'schema.table'), {{fn}} (function name stem), {{node}} (literal node id),
-- {{pk_new}} / {{pk_old}} (jsonb_build_object of the key columns as text), {{pk_changed}},
-- counters / dots (statements keeping the merge metadata the table's policy needs).
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
CREATE OR REPLACE FUNCTION syncline.{{fn}}_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous_hlc      bigint;
    previous_vv       jsonb;
    same_row          boolean := false;
    previous_counters jsonb   := '{}';
    new_dot           jsonb;
BEGIN
    IF pg_replication_origin_session_is_setup() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT t.hlc, t.vv INTO previous_hlc, previous_vv
          FROM syncline.tombstone t WHERE t.table_name = {{table_name}} AND t.pk = {{pk_new}};
    ELSIF {{pk_changed}} THEN
        -- The old key disappears: record it like a delete.
        INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv)
        VALUES ({{table_name}}, {{pk_old}}, greatest(syncline.now_hlc(), OLD.syncline_hlc + 1), {{node}},
                syncline.bump_vector(OLD.syncline_vv, {{node}}))
        ON CONFLICT (table_name, pk) DO UPDATE
            SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, deleted_at = now(), frontier = NULL;
        SELECT t.hlc, t.vv INTO previous_hlc, previous_vv
          FROM syncline.tombstone t WHERE t.table_name = {{table_name}} AND t.pk = {{pk_new}};
    ELSE
        same_row := true;
        previous_hlc := OLD.syncline_hlc;
        previous_vv := OLD.syncline_vv;
    END IF;
    -- No tombstone: previous_hlc and previous_vv are NULL (version 0, empty vector).
    NEW.syncline_hlc := greatest(((extract(epoch FROM clock_timestamp()) * 1000)::bigint + syncline.clock_offset_ms()) << 16,
                                 coalesce(previous_hlc, 0) + 1);
    NEW.syncline_node := {{node}};
    NEW.syncline_vv := coalesce(previous_vv, '{}'::jsonb)
                       || jsonb_build_object({{node}}, coalesce((previous_vv ->> {{node}})::bigint, 0) + 1);
{{counters}}
{{dots}}
    -- A local write has seen every concurrent version the row was resolved from.
    NEW.syncline_frontier := NULL;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION syncline.{{fn}}_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_replication_origin_session_is_setup() THEN
        RETURN NULL;
    END IF;
    INSERT INTO syncline.tombstone (table_name, pk, hlc, node_id, vv)
    VALUES ({{table_name}}, {{pk_old}}, greatest(syncline.now_hlc(), OLD.syncline_hlc + 1), {{node}},
            syncline.bump_vector(OLD.syncline_vv, {{node}}))
    ON CONFLICT (table_name, pk) DO UPDATE
        SET hlc = EXCLUDED.hlc, node_id = EXCLUDED.node_id, vv = EXCLUDED.vv, deleted_at = now(), frontier = NULL;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS syncline_stamp ON {{table}};
CREATE TRIGGER syncline_stamp BEFORE INSERT OR UPDATE ON {{table}}
    FOR EACH ROW EXECUTE FUNCTION syncline.{{fn}}_stamp();
DROP TRIGGER IF EXISTS syncline_tombstone ON {{table}};
CREATE TRIGGER syncline_tombstone AFTER DELETE ON {{table}}
    FOR EACH ROW EXECUTE FUNCTION syncline.{{fn}}_tombstone();
