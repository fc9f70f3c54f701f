-- A notes database as briefreader schema version 1 wrote it (frozen; do not edit).
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE briefs (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        path TEXT,
        content_hash TEXT NOT NULL,
        seen_at TEXT NOT NULL);
INSERT INTO "briefs" VALUES(1,'water-2025','Water security outlook','/briefs/water.md','3f1c0d2a','2025-03-01T09:00:00.000Z');
CREATE TABLE comments (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        section_heading TEXT NOT NULL,
        section_ordinal INTEGER NOT NULL,
        section_fingerprint TEXT NOT NULL,
        body TEXT NOT NULL,
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL,
        reply_to TEXT REFERENCES comments(id),
        status TEXT NOT NULL DEFAULT 'anchored',
        cur_section_id TEXT,
        deleted_at TEXT);
INSERT INTO "comments" VALUES('7c1d2e3f-0000-4a5b-8c9d-0e1f2a3b4c01',1,'risks','Risks',2,'m1:0001','Which districts are covered?','ana','2025-03-01T09:10:00.000Z','2025-03-01T09:10:00.000Z',NULL,'anchored','risks',NULL);
INSERT INTO "comments" VALUES('7c1d2e3f-0000-4a5b-8c9d-0e1f2a3b4c02',1,'risks','Risks',2,'m1:0001','All twelve, see annex B.','ben','2025-03-01T11:00:00.000Z','2025-03-01T11:00:00.000Z','7c1d2e3f-0000-4a5b-8c9d-0e1f2a3b4c01','anchored','risks',NULL);
CREATE TABLE highlights (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        section_heading TEXT NOT NULL,
        section_ordinal INTEGER NOT NULL,
        exact TEXT NOT NULL,
        prefix TEXT NOT NULL,
        suffix TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        color TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        modified TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'anchored',
        cur_section_id TEXT,
        cur_start INTEGER,
        cur_end INTEGER,
        deleted_at TEXT);
INSERT INTO "highlights" VALUES('0b6f1c52-8d7e-4c4e-9a51-2f0d6d9c1a01',1,'summary','Summary',1,'reservoir levels fell by a third','Over the dry season ',' across the northern basin',20,52,'red','Check the *2024* baseline.','ana','2025-03-01T09:05:00.000Z','2025-03-01T09:06:30.000Z','anchored','summary',20,52,NULL);
INSERT INTO "highlights" VALUES('0b6f1c52-8d7e-4c4e-9a51-2f0d6d9c1a02',1,'risks','Risks',2,'pumping costs','rising ',' strain budgets',7,20,'yellow','','ana','2025-03-01T09:07:00.000Z','2025-03-01T09:07:00.000Z','anchored','risks',7,20,'2025-03-02T10:00:00.000Z');
CREATE TABLE sections (
        brief_id INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section_id TEXT NOT NULL,
        heading TEXT NOT NULL,
        level INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        PRIMARY KEY (brief_id, ordinal));
INSERT INTO "sections" VALUES(1,0,'_lead','Water security outlook',0,'aa01');
INSERT INTO "sections" VALUES(1,1,'summary','Summary',2,'bb02');
INSERT INTO "sections" VALUES(1,2,'risks','Risks',2,'cc03');
CREATE INDEX highlights_brief ON highlights(brief_id, section_ordinal, start);
CREATE INDEX comments_brief ON comments(brief_id, section_ordinal, created);
COMMIT;
