-- A hold's lines are written with the hold, in the same statement, and nothing deletes a hold:
-- the foreign key from reservation_lines to reservations guarded nothing the code can break, and
-- cost a lookup and a row lock per line. Its lookup's plan was cached by each connection while
-- the table was small: a sequential scan of every reservation per line, 170 ms of a 64-hold
-- batch once the benchmark had made 6,000 holds, growing with every hold ever made.
ALTER TABLE reservation_lines DROP CONSTRAINT reservation_lines_tenant_id_reservation_id_fkey;
