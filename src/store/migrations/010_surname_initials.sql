-- Version 10 changes no table. Its hook (`store::fix_surname_initials`) writes the pinyin
-- initials again for children whose surname reads differently as a surname (曾 zēng, not
-- céng: `domain::child::SURNAME_INITIALS`); the search keys follow through the triggers of
-- migration 8, and the audit trail records each change.

