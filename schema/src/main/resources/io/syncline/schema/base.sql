-- Syncline's own objects in a node's database. Idempotent: safe to run again.
CREATE SCHEMA IF NOT EXISTS syncline;

-- One row per deleted primary key: the delete's version, so that an older update that
-- arrives later cannot bring the row back (DDIA ch. 5, "deletes leave tombstones").
CREATE TABLE IF NOT EXISTS syncline.tombstone (
    table_name text        NOT NULL,
    pk         jsonb       NOT NULL,
    hlc        bigint      NOT NULL,
    node_id    text        NOT NULL,
    vv         jsonb       NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, pk)
);
-- The concurrent versions a tombstone was resolved from (see syncline_frontier on the tables).
ALTER TABLE syncline.tombstone ADD COLUMN IF NOT EXISTS frontier jsonb;

-- Exactly-once apply: the last applied commit position per origin node, written in the same
-- transaction as the rows it covers.
CREATE TABLE IF NOT EXISTS syncline.applied_position (
    origin_node        text        PRIMARY KEY,
    position           bigint      NOT NULL,
    commit_time_micros bigint      NOT NULL,
    applied_at         timestamptz NOT NULL DEFAULT now()
);
-- The chain the applied position belongs to (docs/continuity.md): the origin's identity (its
-- database's system identifier and capture epoch; NULL before any chained transaction) and the
-- position of the first transaction applied under it. Deleting an origin's row makes the next
-- transaction received from it start a new chain here: the recovery after a gap.
ALTER TABLE syncline.applied_position
    ADD COLUMN IF NOT EXISTS origin_system_id bigint,
    ADD COLUMN IF NOT EXISTS origin_epoch     bigint,
    ADD COLUMN IF NOT EXISTS chain_start      bigint NOT NULL DEFAULT -1;

-- Where to resume reading each upstream node's outbox in Kafka. Written in the same transaction
-- as the applied rows; the applied positions above stay the truth for skipping duplicates.
CREATE TABLE IF NOT EXISTS syncline.link_offset (
    upstream_node text   PRIMARY KEY,
    next_offset   bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS syncline.conflict_log (
    id              bigserial   PRIMARY KEY,
    logged_at       timestamptz NOT NULL DEFAULT now(),
    table_name      text        NOT NULL,
    pk              jsonb       NOT NULL,
    conflict_type   text        NOT NULL,
    local_version   jsonb,
    remote_version  jsonb       NOT NULL,
    local_row       jsonb,
    remote_row      jsonb,
    rule            text        NOT NULL,
    winner          text        NOT NULL,
    origin_node     text        NOT NULL,
    origin_position bigint      NOT NULL
);
-- The outcome: the version and row the conflict left (NULL row: a tombstone), and for a parked
-- change the resolver's error.
ALTER TABLE syncline.conflict_log
    ADD COLUMN IF NOT EXISTS resolved_version jsonb,
    ADD COLUMN IF NOT EXISTS resolved_row     jsonb,
    ADD COLUMN IF NOT EXISTS error            text;
CREATE INDEX IF NOT EXISTS conflict_log_table_time ON syncline.conflict_log (table_name, logged_at);

-- The trigger functions and triggers `syncline init` made for each replicated table, one row per
-- trigger (TableObjectNames): init refuses a table whose functions another table's row names, and
-- drops the functions a table's triggers no longer use (those of an older naming, too).
CREATE TABLE IF NOT EXISTS syncline.table_objects (
    schema_name   text        NOT NULL,
    table_name    text        NOT NULL,
    kind          text        NOT NULL,
    function_name text        NOT NULL UNIQUE,
    trigger_name  text        NOT NULL,
    installed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_name, table_name, kind)
);

-- Remote row changes whose conflict resolution failed (a custom resolver threw or returned a row
-- the database refused). The rest of their source transaction was applied; `syncline conflicts
-- retry` applies these again. `change` is the change encoded as a one-change transaction body
-- (TransactionCodec), `change_json` the same for people.
CREATE TABLE IF NOT EXISTS syncline.dead_letter (
    id                 bigserial   PRIMARY KEY,
    parked_at          timestamptz NOT NULL DEFAULT now(),
    table_name         text        NOT NULL,
    pk                 jsonb       NOT NULL,
    conflict_type      text,
    rule               text        NOT NULL,
    origin_node        text        NOT NULL,
    origin_position    bigint      NOT NULL,
    origin_tx_id       bigint      NOT NULL,
    commit_time_micros bigint      NOT NULL,
    change             bytea       NOT NULL,
    change_json        jsonb       NOT NULL,
    error              text        NOT NULL,
    attempts           int         NOT NULL DEFAULT 1,
    last_attempt_at    timestamptz NOT NULL DEFAULT now()
);
-- A source transaction the database refused for good (a unique index on another column, a check,
-- a foreign key, a value out of range) in a table with `on-error: park` is parked whole, kind
-- 'transaction': `change` is then its whole body, table_name and pk those of the refused change,
-- sqlstate and constraint_name the server's. Its origin's position moved past it.
ALTER TABLE syncline.dead_letter
    ADD COLUMN IF NOT EXISTS kind            text NOT NULL DEFAULT 'change',
    ADD COLUMN IF NOT EXISTS sqlstate        text,
    ADD COLUMN IF NOT EXISTS constraint_name text;

-- A record read from an upstream outbox that failed validation before it was applied (it does not
-- decode, names an origin or table not configured here, came over a path that does not fit the
-- link, its headers disagree with its body, or its position jumps implausibly far): kept whole
-- with the reason, written in the same transaction that moves the link's Kafka offset past it.
-- The applied positions do not move for it. See docs/quarantine.md.
CREATE TABLE IF NOT EXISTS syncline.quarantine (
    id            bigserial   PRIMARY KEY,
    received_at   timestamptz NOT NULL DEFAULT now(),
    upstream_node text        NOT NULL,
    topic         text        NOT NULL,
    kafka_offset  bigint      NOT NULL,
    origin_node   text,
    reason        text        NOT NULL,
    message       text        NOT NULL,
    headers       jsonb       NOT NULL,
    body          bytea
);
CREATE INDEX IF NOT EXISTS quarantine_upstream ON syncline.quarantine (upstream_node);
-- A record read again (after a retry, or by both passes over a large transaction) is kept once.
CREATE UNIQUE INDEX IF NOT EXISTS quarantine_record ON syncline.quarantine (upstream_node, topic, kafka_offset);

-- The functions below call everything schema-qualified: the row triggers, which run as the role of
-- `syncline init`, call them, and PostgreSQL picks the best-matching function across the caller's
-- whole search_path (see table.sql). They set no search_path of their own, so that PostgreSQL can
-- still inline them.

-- The node's wall clock for row versions, in HLC units (milliseconds << 16). The offset exists
-- so that tests and the demo can put one node's clock behind the others.
CREATE OR REPLACE FUNCTION syncline.clock_offset_ms() RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT 0::bigint $$;

CREATE OR REPLACE FUNCTION syncline.now_hlc() RETURNS bigint
    LANGUAGE sql VOLATILE AS $$
        SELECT ((EXTRACT(epoch FROM pg_catalog.clock_timestamp()) * 1000)::bigint + syncline.clock_offset_ms()) << 16
    $$;

-- The version vector of a new local version: the previous one with this node's counter + 1.
CREATE OR REPLACE FUNCTION syncline.bump_vector(previous jsonb, node text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(previous, '{}'::jsonb)
               || pg_catalog.jsonb_build_object(node, coalesce((previous ->> node)::bigint, 0) + 1)
    $$;

-- Applier sessions mark their transactions with a replication origin; the triggers leave
-- those writes alone because the applier sets the version columns itself. The triggers inline
-- this test (and now_hlc, bump_vector): keep them in step.
CREATE OR REPLACE FUNCTION syncline.is_apply_session() RETURNS boolean
    LANGUAGE sql VOLATILE AS $$ SELECT pg_catalog.pg_replication_origin_session_is_setup() $$;

-- Whether version vector a has seen everything b has (a >= b entry by entry).
CREATE OR REPLACE FUNCTION syncline.vector_covers(a jsonb, b jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$
        SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_each_text(b) e
                            WHERE e.value::bigint > coalesce((a ->> e.key)::bigint, 0))
    $$;

-- The entry-wise maximum of two version vectors.
CREATE OR REPLACE FUNCTION syncline.merge_vectors(a jsonb, b jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(pg_catalog.jsonb_object_agg(k, greatest(coalesce((a ->> k)::bigint, 0), coalesce((b ->> k)::bigint, 0))), '{}')
          FROM (SELECT pg_catalog.jsonb_object_keys(a) UNION SELECT pg_catalog.jsonb_object_keys(b)) keys(k)
    $$;

-- Tombstone collection (DDIA ch. 5: a tombstone may go once every node has seen the delete).
-- Each node periodically marks its unmarked tombstones with a checkpoint: the applied position
-- of every origin and its own WAL position at that moment, so the checkpoint covers every delete
-- its tombstones hold. A write to a tombstone clears its mark. See TombstoneCollector.
ALTER TABLE syncline.tombstone ADD COLUMN IF NOT EXISTS collect_checkpoint bigint;
CREATE INDEX IF NOT EXISTS tombstone_collect_checkpoint ON syncline.tombstone (collect_checkpoint);

CREATE TABLE IF NOT EXISTS syncline.tombstone_checkpoint (
    id             bigserial   PRIMARY KEY,
    -- origin node -> position; this node's own entry is its WAL insert position (an upper bound)
    positions      jsonb       NOT NULL,
    -- this node's WAL position below which every local commit was visible when the checkpoint was taken
    own_visible    bigint      NOT NULL,
    taken_at       timestamptz NOT NULL DEFAULT now()
);

-- This node's own progress, one row, published to the peers through the capture (in commit order
-- with the node's own changes): what it has applied of every origin, up to which positions its
-- tombstones are known stable, and whether it waits for the peers' progress to collect tombstones.
CREATE TABLE IF NOT EXISTS syncline.progress_report (
    node_id     text        PRIMARY KEY,
    applied     jsonb       NOT NULL,
    stable      jsonb       NOT NULL,
    awaiting    boolean     NOT NULL,
    reported_at timestamptz NOT NULL DEFAULT now()
);

-- Schema changes run through `syncline ddl` here, and those applied here from the peers: the
-- command inserts its row in the transaction of the change, so it travels at the change's place
-- in this node's stream.
CREATE TABLE IF NOT EXISTS syncline.schema_change (
    origin_node  text        NOT NULL,
    id           bigint      NOT NULL,
    statements   jsonb       NOT NULL,
    expectations jsonb       NOT NULL,
    search_path  text        NOT NULL,
    applied_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin_node, id)
);
CREATE SEQUENCE IF NOT EXISTS syncline.schema_change_id;

-- Tables that joined replication while the nodes ran (`syncline ddl` of a CREATE TABLE, here or at
-- a peer), written in the transaction that created the table here. Read at start besides the config.
CREATE TABLE IF NOT EXISTS syncline.replicated_table (
    table_name       text        PRIMARY KEY,
    origin_node      text        NOT NULL,
    schema_change_id bigint      NOT NULL,
    added_at         timestamptz NOT NULL DEFAULT now()
);

-- The latest progress report received from each peer.
CREATE TABLE IF NOT EXISTS syncline.peer_progress (
    peer        text        PRIMARY KEY,
    applied     jsonb       NOT NULL,
    stable      jsonb       NOT NULL,
    awaiting    boolean     NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- The newest checkpoint every peer has applied past: tombstones marked at or below it hold no
-- delete that a change still to arrive could be concurrent with, so the applier treats them as absent.
CREATE TABLE IF NOT EXISTS syncline.collector_state (
    node_id           text   PRIMARY KEY,
    stable_checkpoint bigint NOT NULL
);

CREATE OR REPLACE FUNCTION syncline.stable_checkpoint() RETURNS bigint
    LANGUAGE sql STABLE AS $$ SELECT coalesce(pg_catalog.max(stable_checkpoint), 0) FROM syncline.collector_state $$;

-- This node's capture epoch: with the database's system identifier, the identity that every
-- transaction the node publishes carries (docs/continuity.md). `syncline init` starts epoch 1;
-- `syncline capture reset` starts the next one.
CREATE TABLE IF NOT EXISTS syncline.capture_identity (
    node_id          text        PRIMARY KEY,
    epoch            bigint      NOT NULL,
    epoch_started_at timestamptz NOT NULL DEFAULT now()
);
-- The newest position of this epoch the capture saw committed in its outbox (recorded about once
-- a second, so never more than was published): a restarted capture whose outbox no longer holds
-- it knows the outbox lost records. NULL until the epoch publishes; `capture reset` clears it.
ALTER TABLE syncline.capture_identity ADD COLUMN IF NOT EXISTS last_published_position bigint;

-- The capture's Debezium offsets (where it resumes reading the slot), kept in the database that
-- outlives the node's host rather than in a file on it.
CREATE TABLE IF NOT EXISTS syncline.capture_offset (
    node_id    text        NOT NULL,
    key        bytea       NOT NULL,
    value      bytea,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, key)
);

-- `syncline init` on a populated table: how far it has given the rows that existed before the
-- triggers a version (the last key of the last committed chunk, key columns as text), so that an
-- interrupted run resumes there. Local to this node, never captured (docs/membership.md).
CREATE TABLE IF NOT EXISTS syncline.existing_row_stamp (
    table_name  text        PRIMARY KEY,
    last_key    jsonb,
    stamped     bigint      NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

-- Set by `syncline leave`: the node drains to its peers and then drops its capture. While the
-- state is `leaving` its collector asks the peers for progress reports; drained_to is the own
-- position every peer had applied when the drain finished; `left` keeps `run` from starting it again.
CREATE TABLE IF NOT EXISTS syncline.membership (
    node_id    text        PRIMARY KEY,
    state      text        NOT NULL CHECK (state IN ('leaving', 'left')),
    since      timestamptz NOT NULL DEFAULT now(),
    drained_to bigint
);
-- `syncline join` (docs/membership.md): `joining` while it copies a peer's rows (run refuses to
-- start), `catchup` once the copy is done and until the node read every upstream to where it ended
-- when the copy finished, then `active`. joined_from is the peer copied; catchup_to the offsets
-- (upstream -> next offset) to reach.
ALTER TABLE syncline.membership
    ADD COLUMN IF NOT EXISTS joined_from text,
    ADD COLUMN IF NOT EXISTS catchup_to  jsonb;
ALTER TABLE syncline.membership DROP CONSTRAINT IF EXISTS membership_state_check;
ALTER TABLE syncline.membership ADD CONSTRAINT membership_state_check
    CHECK (state IN ('leaving', 'left', 'joining', 'catchup', 'active'));

-- `syncline join`: how far the copy of each table (and of syncline.tombstone) got, so that a join
-- that was interrupted resumes after the last committed chunk. Local, never captured.
CREATE TABLE IF NOT EXISTS syncline.join_copy (
    table_name  text        PRIMARY KEY,
    last_key    jsonb,
    copied      bigint      NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

-- Schema changes of replicated tables made outside `syncline ddl` (by hand, by a migration tool):
-- they do not travel, so the node reports them. Written by the event trigger below.
CREATE TABLE IF NOT EXISTS syncline.unmanaged_ddl (
    id              bigserial   PRIMARY KEY,
    command_tag     text        NOT NULL,
    object_identity text        NOT NULL,
    role_name       text        NOT NULL,
    ran_at          timestamptz NOT NULL DEFAULT now()
);

-- Runs after every DDL command of any session. The command itself (syncline.managed_ddl set in
-- its transaction), `syncline init` and the appliers (sessions with a replication origin) are
-- left alone. SECURITY DEFINER with a pinned path, so that any role's DDL can be recorded and no
-- role's objects are called (PostgreSQL manual, "Writing SECURITY DEFINER Functions Safely").
CREATE OR REPLACE FUNCTION syncline.watch_ddl() RETURNS event_trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    command record;
    target  oid;
BEGIN
    IF current_setting('syncline.managed_ddl', true) = 'on' OR pg_replication_origin_session_is_setup() THEN
        RETURN;
    END IF;
    FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
        target := CASE command.object_type
            WHEN 'table' THEN command.objid
            WHEN 'index' THEN (SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = command.objid)
        END;
        IF target IS NOT NULL AND EXISTS (
                SELECT 1 FROM syncline.table_objects o JOIN pg_namespace n ON n.nspname = o.schema_name
                  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.table_name WHERE c.oid = target) THEN
            INSERT INTO syncline.unmanaged_ddl (command_tag, object_identity, role_name)
                VALUES (command.command_tag, command.object_identity, session_user);
            RAISE WARNING 'Syncline: % of the replicated table % ran outside syncline ddl, so it does not reach the other'
                ' datacenters; run the same change at each of them, or use syncline ddl', command.command_tag,
                target::regclass;
        END IF;
    END LOOP;
END $$;

-- Event triggers take a superuser; without one, DDL outside the command goes unreported (init says so).
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
            AND NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'syncline_watch_ddl') THEN
        CREATE EVENT TRIGGER syncline_watch_ddl ON ddl_command_end EXECUTE FUNCTION syncline.watch_ddl();
    END IF;
END $$;
