-- The snapshot in sessions.state is now written every few events, not on every append: it is the
-- state at snapshot_seq, and loading replays the logged events after it. seq stays the version.
ALTER TABLE sessions ADD COLUMN snapshot_seq integer NOT NULL DEFAULT 0 CHECK (snapshot_seq >= 0);
UPDATE sessions SET snapshot_seq = seq;
