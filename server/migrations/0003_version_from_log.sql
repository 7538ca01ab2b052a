-- A session's version is now the seq of its last logged event: an append is one insert into
-- session_events, whose primary key (code, seq) is the compare-and-set between processes (a
-- second insert of the same version finds the first and writes nothing). The sessions row changes
-- only with a snapshot, so it no longer keeps the version or the phase, and its updated_at is the
-- last activity as of the snapshot (retention also looks at the events after it).
ALTER TABLE sessions DROP COLUMN seq;
ALTER TABLE sessions DROP COLUMN phase;
-- Retention reads every session's events after its snapshot anyway; the index would only cost writes.
DROP INDEX sessions_updated_at;
-- Snapshots are rewritten every 50 versions and read once per load: compressing them costs more
-- CPU on the write path than the disk it saves.
ALTER TABLE sessions ALTER COLUMN state SET STORAGE EXTERNAL;
