-- A job's subject and whether it changed anything.
-- subject: what the job acts on, named for people (a repo name, a MAC); its title is made from it
--   ("Sync rhel9-baseos") and the Jobs list filters on it.
-- no_change: set when a job succeeded without changing anything (host.manage off, so a plan was
--   recorded, not applied); it says why. NULL: the job did what its title says.
ALTER TABLE jobs ADD COLUMN subject text;
ALTER TABLE history.jobs ADD COLUMN subject text;
ALTER TABLE jobs ADD COLUMN no_change text;
ALTER TABLE history.jobs ADD COLUMN no_change text;
ALTER TABLE jobs ADD CONSTRAINT jobs_no_change_succeeded CHECK (no_change IS NULL OR status = 'succeeded');
CREATE INDEX jobs_kind_created ON jobs (kind, created_at DESC);
