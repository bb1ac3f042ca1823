-- Issue 12: nothing a reader is given, and nothing stored in clear, may
-- together rebuild a sensitive value (docs/security.md, "Masks").
--
-- The masks stored beside the sealed values are cut down to what the new
-- display shows. They are derived from the old masks, since SQL holds no
-- key: an ID number keeps its first 3 characters and its last one; a phone
-- of 7 to 10 characters only its last 2, a shorter one nothing; an address
-- about a third of its characters, at most 6 (2 when the old mask does not
-- tell the length). New values are masked by crypto_mask the same way.
UPDATE care_households
   SET id_number_mask = substr(id_number_mask, 1, 3) || '**************' || substr(id_number_mask, 18, 1)
 WHERE length(id_number_mask) = 18;
UPDATE care_households
   SET phone_mask = substr('**********', 1, length(phone_mask) - 2) || substr(phone_mask, length(phone_mask) - 1)
 WHERE length(phone_mask) BETWEEN 7 AND 10;
UPDATE care_households SET phone_mask = '****' WHERE length(phone_mask) < 7;
UPDATE care_households
   SET address_mask = substr(address_mask, 1,
                             CASE WHEN length(address_mask) - 4 >= 6 THEN 2
                                  ELSE ((length(address_mask) - 4) * 2) / 3 END) || '****'
 WHERE address_mask IS NOT NULL;

-- The birth date gives eight digits of the ID number: it becomes a sensitive
-- field of kind "date", sealed like the others, its mask the year only
-- ("1980-**-**"). The clear column is sealed and emptied by the binary,
-- which holds the key (entity_seal_pending, run by init and restore, reads
-- the columns listed in seal_pending).
ALTER TABLE care_households ADD COLUMN birth_date_enc TEXT;
ALTER TABLE care_households ADD COLUMN birth_date_hash TEXT;
ALTER TABLE care_households ADD COLUMN birth_date_mask TEXT;
CREATE TABLE seal_pending (
    tbl TEXT NOT NULL,
    col TEXT NOT NULL,
    PRIMARY KEY (tbl, col)
);
INSERT INTO seal_pending (tbl, col) VALUES ('care_households', 'birth_date');
UPDATE care_households SET birth_date_mask = substr(birth_date, 1, 4) || '-**-**'
 WHERE birth_date IS NOT NULL;
