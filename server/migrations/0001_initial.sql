-- Kollegium's schema, version 1. Runs inside one transaction (see src/storage/migrate.ts).
--
-- sessions.state is the authoritative snapshot (the whole RoundState); loading reads only it.
-- session_events is the append-only log of applied events. The tables after it are projections
-- of the snapshot, rewritten in the same transaction as every append: they serve export,
-- deletion and queries, never loading. Times are the application's clock (event `at`), not now().
-- Projection columns are nullable on purpose: a field the model later drops must not make
-- appends fail.

CREATE TABLE sessions (
  code                 text        PRIMARY KEY,
  facilitator_key_hash text        NOT NULL,
  board_key_hash       text        NOT NULL,
  created_at           timestamptz NOT NULL,
  -- Last write (create or append): what retention deletes by.
  updated_at           timestamptz NOT NULL,
  -- Version: the seq of the last applied event, 0 after create. Appends compare-and-set it.
  seq                  integer     NOT NULL CHECK (seq >= 0),
  phase                text        NOT NULL,
  state                jsonb       NOT NULL
);
CREATE INDEX sessions_updated_at ON sessions (updated_at);

CREATE TABLE session_events (
  code  text        NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  seq   integer     NOT NULL CHECK (seq > 0),
  type  text        NOT NULL,
  event jsonb       NOT NULL,
  at    timestamptz NOT NULL,
  PRIMARY KEY (code, seq)
);

-- Append-only: rows are inserted and (with their session) deleted, never changed.
CREATE FUNCTION session_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'session_events is append-only';
END
$$;
CREATE TRIGGER session_events_append_only BEFORE UPDATE ON session_events
  FOR EACH ROW EXECUTE FUNCTION session_events_append_only();

CREATE TABLE participant_tokens (
  code           text        NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  participant_id text        NOT NULL,
  token_hash     text        NOT NULL,
  revoked_at     timestamptz,
  PRIMARY KEY (code, token_hash)
);
CREATE INDEX participant_tokens_participant ON participant_tokens (code, participant_id);

-- Projections of state.context; one row per array element (votes: per participant and challenge).

CREATE TABLE participants (
  code      text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  id        text NOT NULL,
  name      text,
  joined_at timestamptz,
  removed   boolean,
  PRIMARY KEY (code, id)
);

CREATE TABLE challenges (
  code         text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  id           text NOT NULL,
  owner_id     text,
  title        text,
  context      text,
  question     text,
  submitted_at timestamptz,
  PRIMARY KEY (code, id)
);

CREATE TABLE votes (
  code           text    NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  participant_id text    NOT NULL,
  challenge_id   text    NOT NULL,
  -- A participant may put several dots on one challenge.
  dots           integer NOT NULL,
  PRIMARY KEY (code, participant_id, challenge_id)
);

CREATE TABLE contributions (
  code         text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  id           text NOT NULL,
  challenge_id text,
  author_id    text,
  kind         text,
  text         text,
  anonymous    boolean,
  phase        text,
  at           timestamptz,
  hidden       boolean,
  useful       boolean,
  PRIMARY KEY (code, id)
);

CREATE TABLE next_steps (
  code         text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  id           text NOT NULL,
  challenge_id text,
  text         text,
  at           timestamptz,
  PRIMARY KEY (code, id)
);

CREATE TABLE notes (
  code           text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  participant_id text NOT NULL,
  challenge_id   text NOT NULL,
  text           text,
  PRIMARY KEY (code, participant_id, challenge_id)
);

CREATE TABLE evaluations (
  code           text NOT NULL REFERENCES sessions (code) ON DELETE CASCADE,
  participant_id text NOT NULL,
  usefulness     integer,
  process        integer,
  comment        text,
  PRIMARY KEY (code, participant_id)
);
