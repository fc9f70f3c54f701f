-- A notes database as briefreader schema version 2 wrote it (frozen; do not edit).
PRAGMA user_version = 2;
BEGIN TRANSACTION;
CREATE TABLE bookmarks (
        id TEXT PRIMARY KEY,
        brief_id INTEGER NOT NULL REFERENCES briefs(id),
        section_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        label TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL);
CREATE TABLE briefs (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        path TEXT,
        content_hash TEXT NOT NULL,
        seen_at TEXT NOT NULL);
INSERT INTO "briefs" VALUES(1,'grid-2026','Winter grid resilience','/briefs/grid.md','9a8b7c','2026-11-27T12:22:29.132Z');
CREATE TABLE color_labels (color TEXT PRIMARY KEY, label TEXT NOT NULL);
INSERT INTO "color_labels" VALUES('yellow','key point');
INSERT INTO "color_labels" VALUES('green','agree');
INSERT INTO "color_labels" VALUES('blue','question');
INSERT INTO "color_labels" VALUES('red','concern');
INSERT INTO "color_labels" VALUES('purple','action');
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
INSERT INTO "comments" VALUES('7c1d2e3f-0000-4a5b-8c9d-000000000003',1,'demand','Demand',1,'m1:0001','Ask the operator about storage contracts','ben','2026-01-06T09:00:00.000Z','2026-01-06T09:00:00.000Z',NULL,'anchored','demand',NULL);
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
        deleted_at TEXT, tags TEXT NOT NULL DEFAULT '[]');
INSERT INTO "highlights" VALUES('0b6f1c2e-0000-4a5b-8c9d-000000000001',1,'demand','Demand',1,'peak demand in January','Winter ',' is expected',7,29,'red','Check the café figures against the régulateur','ana','2026-01-05T10:00:00.000Z','2026-01-05T10:00:00.000Z','anchored','demand',7,29,NULL,'["energy", "follow-up"]');
INSERT INTO "highlights" VALUES('0b6f1c2e-0000-4a5b-8c9d-000000000002',1,'_lead','Winter grid resilience',0,'interconnector capacity','','',0,23,'yellow','','ben','2026-01-05T11:00:00.000Z','2026-01-05T11:00:00.000Z','anchored','_lead',0,23,NULL,'[]');
CREATE TABLE sections (
        brief_id INTEGER NOT NULL REFERENCES briefs(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        section_id TEXT NOT NULL,
        heading TEXT NOT NULL,
        level INTEGER NOT NULL,
        text_hash TEXT NOT NULL,
        PRIMARY KEY (brief_id, ordinal));
INSERT INTO "sections" VALUES(1,0,'_lead','Winter grid resilience',0,'h0');
INSERT INTO "sections" VALUES(1,1,'demand','Demand',2,'h1');
ANALYZE "sqlite_master";
INSERT INTO "sqlite_stat1" VALUES('sections','sqlite_autoindex_sections_1','2 2 1');
CREATE INDEX highlights_brief ON highlights(brief_id, section_ordinal, start);
CREATE INDEX comments_brief ON comments(brief_id, section_ordinal, created);
CREATE INDEX bookmarks_brief ON bookmarks(brief_id);
COMMIT;
