-- The invitations an address got in the last day, from every team: the edge caps them
-- (domain::accounts::INVITATIONS_PER_ADDRESS_PER_DAY) before mailing another.
CREATE INDEX invitations_by_email ON invitations (email, created_at);
