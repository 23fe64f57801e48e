-- The application's tables, created at every datacenter before its node starts
-- (Syncline does not replicate DDL).
CREATE TABLE IF NOT EXISTS public.notes (
    id         text PRIMARY KEY,
    body       text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.counters (
    id    integer PRIMARY KEY,
    total bigint NOT NULL DEFAULT 0
);
