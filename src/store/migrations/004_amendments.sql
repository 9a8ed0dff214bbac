-- casepanel schema: amendments (更正).
--
-- A signed decision never changes; a correction is a new decision whose `amends` names
-- the old one, with the reason the panel gave. Both stay on file. A decision is corrected
-- at most once (the correction may itself be corrected), so the chain is a line.

ALTER TABLE decision ADD COLUMN amend_reason TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX decision_amended_once ON decision(amends)
    WHERE amends IS NOT NULL AND status = 'sealed';

CREATE TRIGGER decision_amends_same_case
BEFORE UPDATE OF status ON decision
WHEN NEW.status = 'sealed' AND NEW.amends IS NOT NULL
     AND (SELECT case_id FROM decision WHERE id = NEW.amends) IS NOT NEW.case_id
BEGIN
    SELECT RAISE(ABORT, 'casepanel: an amendment must correct a decision of the same case');
END;
