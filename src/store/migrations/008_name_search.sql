-- Version 8: search as you type, and case lists read a window from an index.
--
-- FTS5's trigram tokenizer cannot answer one- and two-character queries, and Chinese names
-- are two or three characters long. `name_gram` holds every one- and two-character piece
-- of the child's name of every case (ASCII letters lower-cased, as LIKE compares them), so
-- a query of one or two characters is one range of the primary key, which also counts the
-- matching cases without reading them, and a longer query starts from the rarest of its
-- two-character pieces and checks the name itself. It is keyed by case, not child: the
-- list shows cases, and the range hands them over newest first without a sort.
--
-- It is derived data, kept in step with `child` and `case_file` by the triggers below
-- (every write; a fresh bulk load fills it once instead), so it is not audited (`store::audit` skips
-- it, as it skips the autosaved drafts): the audit trail holds the names themselves.
CREATE TABLE name_gram (
    gram     TEXT NOT NULL,
    case_id  INTEGER NOT NULL,
    PRIMARY KEY (gram, case_id)
) WITHOUT ROWID;

-- The pieces of a name: for every position p (0-based, from `json_each` over an array of
-- length(name) + 1 zeros: a trigger may not use a WITH clause) and width w in 1..2, the
-- substring at p of width w, where it fits. Written out for each trigger (they need
-- `new`/`old`); tests/search.rs checks the table against the names after every kind of
-- write.
-- (Filled for the cases already there by migration 8's hook, with `store::derived`.)

CREATE TRIGGER name_gram_case_ins AFTER INSERT ON case_file BEGIN
    INSERT OR IGNORE INTO name_gram (gram, case_id)
    SELECT lower(substr(c.name, p.key + 1, w.value)), new.id
    FROM child c,
         json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
    WHERE c.id = new.child_id AND p.key + w.value <= length(c.name);
END;

CREATE TRIGGER name_gram_case_upd AFTER UPDATE OF id, child_id ON case_file
WHEN old.id IS NOT new.id OR old.child_id IS NOT new.child_id BEGIN
    DELETE FROM name_gram WHERE case_id = old.id AND gram IN (
        SELECT lower(substr(c.name, p.key + 1, w.value))
        FROM child c,
             json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
        WHERE c.id = old.child_id AND p.key + w.value <= length(c.name));
    INSERT OR IGNORE INTO name_gram (gram, case_id)
    SELECT lower(substr(c.name, p.key + 1, w.value)), new.id
    FROM child c,
         json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
    WHERE c.id = new.child_id AND p.key + w.value <= length(c.name);
END;

CREATE TRIGGER name_gram_case_del AFTER DELETE ON case_file BEGIN
    DELETE FROM name_gram WHERE case_id = old.id AND gram IN (
        SELECT lower(substr(c.name, p.key + 1, w.value))
        FROM child c,
             json_each('[' || replace(printf('%.*c', length(c.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
        WHERE c.id = old.child_id AND p.key + w.value <= length(c.name));
END;

-- A child renamed: its cases' pieces follow.
CREATE TRIGGER name_gram_child_upd AFTER UPDATE OF name ON child
WHEN old.name IS NOT new.name BEGIN
    DELETE FROM name_gram
    WHERE case_id IN (SELECT id FROM case_file WHERE child_id = old.id) AND gram IN (
        SELECT lower(substr(old.name, p.key + 1, w.value))
        FROM json_each('[' || replace(printf('%.*c', length(old.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
        WHERE p.key + w.value <= length(old.name));
    INSERT OR IGNORE INTO name_gram (gram, case_id)
    SELECT lower(substr(new.name, p.key + 1, w.value)), k.id
    FROM case_file k,
         json_each('[' || replace(printf('%.*c', length(new.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
    WHERE k.child_id = new.id AND p.key + w.value <= length(new.name);
END;

-- A child deleted before its cases (only with foreign keys off): the cases' pieces go.
CREATE TRIGGER name_gram_child_del AFTER DELETE ON child BEGIN
    DELETE FROM name_gram
    WHERE case_id IN (SELECT id FROM case_file WHERE child_id = old.id) AND gram IN (
        SELECT lower(substr(old.name, p.key + 1, w.value))
        FROM json_each('[' || replace(printf('%.*c', length(old.name), 'x'), 'x', '0,') || '0]') p,
         json_each('[1,2]') w
        WHERE p.key + w.value <= length(old.name));
END;

-- ID-number and initials searches are prefixes, read from `case_key` for the same reason:
-- the case's child's ID number (kind 'id') and pinyin initials (kind 'initials'), keyed by
-- case, so a prefix is one range that counts the cases and hands them over in order.
-- Derived and not audited, like `name_gram`.
CREATE TABLE case_key (
    kind     TEXT NOT NULL CHECK (kind IN ('id', 'initials')),
    key      TEXT NOT NULL,
    case_id  INTEGER NOT NULL,
    PRIMARY KEY (kind, key, case_id)
) WITHOUT ROWID;

-- (Filled for the cases already there by migration 8's hook, with `store::derived`.)

CREATE TRIGGER case_key_case_ins AFTER INSERT ON case_file BEGIN
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'id', c.id_number, new.id FROM child c
    WHERE c.id = new.child_id AND c.id_number IS NOT NULL;
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'initials', c.initials, new.id FROM child c WHERE c.id = new.child_id;
END;

CREATE TRIGGER case_key_case_upd AFTER UPDATE OF id, child_id ON case_file
WHEN old.id IS NOT new.id OR old.child_id IS NOT new.child_id BEGIN
    DELETE FROM case_key WHERE case_id = old.id AND kind = 'id'
        AND key = (SELECT id_number FROM child WHERE id = old.child_id);
    DELETE FROM case_key WHERE case_id = old.id AND kind = 'initials'
        AND key = (SELECT initials FROM child WHERE id = old.child_id);
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'id', c.id_number, new.id FROM child c
    WHERE c.id = new.child_id AND c.id_number IS NOT NULL;
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'initials', c.initials, new.id FROM child c WHERE c.id = new.child_id;
END;

CREATE TRIGGER case_key_case_del AFTER DELETE ON case_file BEGIN
    DELETE FROM case_key WHERE case_id = old.id AND kind = 'id'
        AND key = (SELECT id_number FROM child WHERE id = old.child_id);
    DELETE FROM case_key WHERE case_id = old.id AND kind = 'initials'
        AND key = (SELECT initials FROM child WHERE id = old.child_id);
END;

CREATE TRIGGER case_key_child_upd AFTER UPDATE OF id_number, initials ON child
WHEN old.id_number IS NOT new.id_number OR old.initials IS NOT new.initials BEGIN
    DELETE FROM case_key WHERE kind = 'id' AND key = old.id_number
        AND case_id IN (SELECT id FROM case_file WHERE child_id = old.id);
    DELETE FROM case_key WHERE kind = 'initials' AND key = old.initials
        AND case_id IN (SELECT id FROM case_file WHERE child_id = old.id);
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'id', new.id_number, k.id FROM case_file k
    WHERE k.child_id = new.id AND new.id_number IS NOT NULL;
    INSERT OR IGNORE INTO case_key (kind, key, case_id)
    SELECT 'initials', new.initials, k.id FROM case_file k WHERE k.child_id = new.id;
END;

CREATE TRIGGER case_key_child_del AFTER DELETE ON child BEGIN
    DELETE FROM case_key WHERE kind = 'id' AND key = old.id_number
        AND case_id IN (SELECT id FROM case_file WHERE child_id = old.id);
    DELETE FROM case_key WHERE kind = 'initials' AND key = old.initials
        AND case_id IN (SELECT id FROM case_file WHERE child_id = old.id);
END;

-- The case list's order (closed last, most severe first, then the next review, undated
-- last; then the region and the case id: the index's rowid) as indexes, so that a window
-- of it is read in order instead of sorting every case: one for the whole list, one when a
-- status is chosen (the first term is then constant), one when a level is chosen. The
-- region in the index lets a region filter be checked on the index entry, without reading
-- the case.
CREATE INDEX case_list_order ON case_file(
    status = 'closed', coalesce(level, 4), next_review IS NULL, next_review, region);
CREATE INDEX case_list_status ON case_file(
    status, coalesce(level, 4), next_review IS NULL, next_review, region);
CREATE INDEX case_list_level ON case_file(
    coalesce(level, 4), status = 'closed', next_review IS NULL, next_review, region);
