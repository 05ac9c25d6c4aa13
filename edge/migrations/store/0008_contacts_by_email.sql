-- A provider's bounce or complaint names an address, not a store: the edge marks that address's
-- contacts in every store of the shard, found through this index.
CREATE INDEX contacts_by_email ON contacts (email);
