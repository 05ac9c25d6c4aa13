-- Invitations to join a tenant's team with a role; the mailed token is stored hashed.
CREATE TABLE invitations (
    token_hash  TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('staff', 'viewer')),
    invited_by  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX invitations_by_tenant ON invitations (tenant_id, accepted_at);
