-- Two-factor sign-in with TOTP (RFC 6238). A user's secret is sealed by the edge under a key
-- derived from its signing key (never stored in the clear); the row exists from the start of an
-- enrolment and the factor is on once `enabled_at` is set. `last_step` is the time step of the
-- last code accepted, so no code is accepted twice.
CREATE TABLE two_factor (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_sealed TEXT NOT NULL,
    enabled_at    TEXT,
    last_step     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Single-use recovery codes, shown once at enrolment; only a keyed hash is kept.
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right, waiting for the second factor: short-lived, single-use,
-- and burnt after a few wrong codes. Only the challenge's SHA-256 is kept.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TEXT
);
CREATE INDEX login_challenges_by_user ON login_challenges (user_id);
