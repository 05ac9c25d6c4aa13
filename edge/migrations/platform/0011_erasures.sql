-- GDPR erasures of whole tenants. The tenant's rows are gone once `data_erased_at` is set; the
-- pipelines confirm their part (DynamoDB items, S3 objects) later. The row itself names only
-- random ids, so it can stay as the record that the erasure happened.
CREATE TABLE erasures (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL,
    store_ids              TEXT NOT NULL, -- JSON array
    requested_at           TEXT NOT NULL,
    data_erased_at         TEXT,
    pipelines_confirmed_at TEXT,
    dynamodb_items         INTEGER,
    s3_objects             INTEGER
);
