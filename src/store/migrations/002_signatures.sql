-- casepanel schema, version 2: signed decision records.
--
-- One row per signed decision: the exact canonical JSON bytes that were signed (what
-- `export` writes as <record_id>.json), the minisign signature file's text, who signed
-- and when. A signature row is never changed or removed, and only a sealed decision can
-- be signed; the decision itself is already immutable once sealed (version 1 triggers).

CREATE TABLE decision_signature (
    decision_id    INTEGER PRIMARY KEY REFERENCES decision(id),
    record_id      TEXT NOT NULL UNIQUE,
    -- the canonical record bytes (UTF-8 JSON), exactly as signed
    record         BLOB NOT NULL,
    record_sha256  TEXT NOT NULL CHECK (length(record_sha256) = 64),
    -- the .minisig file's text: untrusted comment, signature, trusted comment, global signature
    minisig        TEXT NOT NULL,
    key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
    signer         TEXT NOT NULL CHECK (signer <> ''),
    signed_at      TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER decision_signature_sealed_only
BEFORE INSERT ON decision_signature
WHEN (SELECT status FROM decision WHERE id = NEW.decision_id) IS NOT 'sealed'
BEGIN
    SELECT RAISE(ABORT, 'casepanel: only a sealed decision can be signed');
END;

CREATE TRIGGER decision_signature_no_update
BEFORE UPDATE ON decision_signature
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a decision signature cannot be changed; record an amendment instead');
END;

CREATE TRIGGER decision_signature_no_delete
BEFORE DELETE ON decision_signature
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a decision signature cannot be deleted');
END;

-- INSERT OR REPLACE deletes the row it replaces without firing DELETE triggers, so a
-- replacement is refused before it happens: a signature, a sealed decision and the
-- interventions of a sealed decision are never replaced.
CREATE TRIGGER decision_signature_once
BEFORE INSERT ON decision_signature
WHEN EXISTS (SELECT 1 FROM decision_signature
             WHERE decision_id = NEW.decision_id OR record_id = NEW.record_id)
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a decision is signed once; a signature is never replaced');
END;

CREATE TRIGGER decision_sealed_no_replace
BEFORE INSERT ON decision
WHEN EXISTS (SELECT 1 FROM decision WHERE id = NEW.id AND status = 'sealed')
BEGIN
    SELECT RAISE(ABORT, 'casepanel: a sealed decision cannot be replaced; record an amendment instead');
END;

CREATE TRIGGER intervention_sealed_no_replace
BEFORE INSERT ON intervention
WHEN EXISTS (SELECT 1 FROM intervention i JOIN decision d ON d.id = i.decision_id
             WHERE i.id = NEW.id AND d.status = 'sealed')
BEGIN
    SELECT RAISE(ABORT, 'casepanel: the interventions of a sealed decision cannot be replaced');
END;
