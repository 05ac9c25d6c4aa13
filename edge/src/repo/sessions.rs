//! Sessions and their refresh tokens (`sessions`, `refresh_tokens`): starting one, rotating its
//! refresh token, revoking it, and the live check every signed-in request makes.

use domain::{SessionId, TenantId, UserId};
use serde::Deserialize;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// The statements that start a session with its first refresh token; they commit together.
pub fn start(
    session: SessionId,
    user: UserId,
    tenant: TenantId,
    user_agent: Option<&str>,
    at: &str,
    expires_at: &str,
    refresh_hash: &str,
) -> Vec<Statement> {
    vec![
        Statement::new(
            "INSERT INTO sessions (id, user_id, tenant_id, user_agent, created_at, last_used_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            vec![
                session.to_string().into(),
                user.to_string().into(),
                tenant.to_string().into(),
                user_agent.into(),
                at.into(),
                expires_at.into(),
            ],
        ),
        issue(&session.to_string(), refresh_hash, at),
    ]
}

fn issue(session: &str, refresh_hash: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (?1, ?2, ?3)",
        vec![refresh_hash.into(), session.into(), at.into()],
    )
}

#[derive(Deserialize)]
struct LiveRole {
    role: String,
}

/// The role of a session's user in its tenant, while the session is not revoked and the
/// membership exists; `None` once either ended.
pub async fn live_role(
    db: &impl Sql,
    session: SessionId,
    user: UserId,
    tenant: TenantId,
) -> Result<Option<String>, SqlError> {
    let row: Option<LiveRole> = db
        .first(Statement::new(
            "SELECT m.role FROM sessions s JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id \
             WHERE s.id = ?1 AND s.user_id = ?2 AND s.tenant_id = ?3 AND s.revoked_at IS NULL",
            vec![session.to_string().into(), user.to_string().into(), tenant.to_string().into()],
        ))
        .await?;
    Ok(row.map(|r| r.role))
}

/// A presented refresh token with its session.
#[derive(Debug, Deserialize)]
pub struct RefreshRow {
    /// The session it belongs to.
    pub session_id: String,
    /// When it was exchanged; set means a second use.
    pub rotated_at: Option<String>,
    /// The session's user.
    pub user_id: String,
    /// The session's tenant.
    pub tenant_id: String,
    /// When the session was revoked.
    pub revoked_at: Option<String>,
    /// When the session ends.
    pub expires_at: String,
}

/// The refresh token with this hash, and its session.
pub async fn refresh_token(db: &impl Sql, token_hash: &str) -> Result<Option<RefreshRow>, SqlError> {
    db.first(Statement::new(
        "SELECT r.session_id, r.rotated_at, s.user_id, s.tenant_id, s.revoked_at, s.expires_at \
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = ?1",
        vec![token_hash.into()],
    ))
    .await
}

/// Marks a refresh token exchanged, unless it already was: no change means another request
/// exchanged it first.
pub async fn claim_refresh_token(db: &impl Sql, token_hash: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE refresh_tokens SET rotated_at = ?2 WHERE token_hash = ?1 AND rotated_at IS NULL",
        vec![token_hash.into(), at.into()],
    ))
    .await
}

/// The statements that give a session its next refresh token and mark it used; they commit
/// together.
pub fn renew(session: &str, next_hash: &str, at: &str) -> Vec<Statement> {
    vec![
        issue(session, next_hash, at),
        Statement::new(
            "UPDATE sessions SET last_used_at = ?2 WHERE id = ?1",
            vec![session.into(), at.into()],
        ),
    ]
}

/// Revokes a session unless it is revoked already (the first reason stays).
pub async fn revoke(db: &impl Sql, session: &str, why: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE sessions SET revoked_at = ?2, revoked_why = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        vec![session.into(), at.into(), why.into()],
    ))
    .await
}

/// Revokes one of the user's own live sessions; no change when it is not theirs or not live.
pub async fn revoke_own(db: &impl Sql, session: &str, user: UserId, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE sessions SET revoked_at = ?3, revoked_why = 'revoked_by_user' WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL",
        vec![session.into(), user.to_string().into(), at.into()],
    ))
    .await
}

/// Revokes every live session of a user, in every tenant.
pub async fn revoke_all(db: &impl Sql, user: &str, why: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE sessions SET revoked_at = ?2, revoked_why = ?3 WHERE user_id = ?1 AND revoked_at IS NULL",
        vec![user.into(), at.into(), why.into()],
    ))
    .await
}

/// Revokes every live session of a user in one tenant.
pub async fn revoke_in_tenant(
    db: &impl Sql,
    user: &str,
    tenant: TenantId,
    why: &str,
    at: &str,
) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE sessions SET revoked_at = ?3, revoked_why = ?4 WHERE user_id = ?1 AND tenant_id = ?2 AND revoked_at IS NULL",
        vec![user.into(), tenant.to_string().into(), at.into(), why.into()],
    ))
    .await
}

/// A live session as its owner lists it.
#[derive(Debug, Deserialize)]
pub struct SessionRow {
    /// Session id.
    pub id: String,
    /// The client that started it.
    pub user_agent: Option<String>,
    /// When it started.
    pub created_at: String,
    /// When its refresh token was last exchanged.
    pub last_used_at: String,
}

/// A user's sessions neither revoked nor expired at `now`, most recently used first.
pub async fn live(db: &impl Sql, user: UserId, now: &str) -> Result<Vec<SessionRow>, SqlError> {
    db.all(Statement::new(
        "SELECT id, user_agent, created_at, last_used_at FROM sessions \
         WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2 ORDER BY last_used_at DESC",
        vec![user.to_string().into(), now.into()],
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts;
    use crate::repo::testing::{block_on, platform, tenant_id};
    use tenancy::shards::PlatformDb;
    use tenancy::sqlite::Sqlite;

    const AT: &str = "2026-01-01T00:00:00Z";
    const LATER: &str = "2026-01-02T00:00:00Z";
    const ENDS: &str = "2026-02-01T00:00:00Z";

    fn user_id(n: u8) -> UserId {
        format!("20000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    fn session_id(n: u8) -> SessionId {
        format!("30000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    /// Tenant 1 with user 1 as its owner, and user 1's session 1 there (refresh token "r1").
    fn signed_in() -> PlatformDb<Sqlite> {
        let db = platform();
        block_on(db.batch(accounts::sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT)))
            .unwrap();
        block_on(db.batch(start(session_id(1), user_id(1), tenant_id(1), Some("ua"), AT, ENDS, "r1")))
            .unwrap();
        db
    }

    #[test]
    fn a_live_session_answers_its_members_role_until_revoked() {
        let db = signed_in();
        let role = block_on(live_role(&db, session_id(1), user_id(1), tenant_id(1))).unwrap();
        assert_eq!(role.as_deref(), Some("owner"));
        assert_eq!(block_on(revoke(&db, &session_id(1).to_string(), "logout", LATER)).unwrap().changes, 1);
        assert_eq!(block_on(live_role(&db, session_id(1), user_id(1), tenant_id(1))).unwrap(), None);
    }

    #[test]
    fn a_session_checked_against_another_tenant_has_no_role() {
        let db = signed_in();
        block_on(db.batch(vec![accounts::tenant(tenant_id(2), "Other", AT)])).unwrap();
        assert_eq!(block_on(live_role(&db, session_id(1), user_id(1), tenant_id(2))).unwrap(), None);
    }

    #[test]
    fn revoking_keeps_the_first_reason() {
        let db = signed_in();
        block_on(revoke(&db, &session_id(1).to_string(), "logout", LATER)).unwrap();
        let again = block_on(revoke(&db, &session_id(1).to_string(), "refresh_token_reused", LATER)).unwrap();
        assert_eq!(again.changes, 0);
    }

    #[test]
    fn a_refresh_token_is_claimed_once() {
        let db = signed_in();
        let row = block_on(refresh_token(&db, "r1")).unwrap().expect("the token exists");
        assert_eq!((row.session_id.as_str(), row.rotated_at), (session_id(1).to_string().as_str(), None));
        assert_eq!(block_on(claim_refresh_token(&db, "r1", LATER)).unwrap().changes, 1);
        assert_eq!(block_on(claim_refresh_token(&db, "r1", LATER)).unwrap().changes, 0);
        let row = block_on(refresh_token(&db, "r1")).unwrap().unwrap();
        assert_eq!(row.rotated_at.as_deref(), Some(LATER));
        block_on(db.batch(renew(&row.session_id, "r2", LATER))).unwrap();
        assert!(block_on(refresh_token(&db, "r2")).unwrap().is_some());
        let sessions = block_on(live(&db, user_id(1), AT)).unwrap();
        assert_eq!(sessions[0].last_used_at, LATER);
    }

    #[test]
    fn users_revoke_only_their_own_sessions() {
        let db = signed_in();
        block_on(db.batch(vec![accounts::user(user_id(2), "b@example.com", "h", None, AT)])).unwrap();
        let stranger = block_on(revoke_own(&db, &session_id(1).to_string(), user_id(2), LATER)).unwrap();
        assert_eq!(stranger.changes, 0);
        let owner = block_on(revoke_own(&db, &session_id(1).to_string(), user_id(1), LATER)).unwrap();
        assert_eq!(owner.changes, 1);
    }

    #[test]
    fn listing_leaves_out_revoked_and_expired_sessions_newest_use_first() {
        let db = signed_in();
        block_on(db.batch(start(session_id(2), user_id(1), tenant_id(1), None, LATER, ENDS, "r2"))).unwrap();
        block_on(db.batch(start(session_id(3), user_id(1), tenant_id(1), None, AT, LATER, "r3"))).unwrap();
        block_on(db.batch(start(session_id(4), user_id(1), tenant_id(1), None, AT, ENDS, "r4"))).unwrap();
        block_on(revoke(&db, &session_id(4).to_string(), "logout", LATER)).unwrap();
        let ids: Vec<_> = block_on(live(&db, user_id(1), LATER)).unwrap().into_iter().map(|s| s.id).collect();
        assert_eq!(ids, [session_id(2).to_string(), session_id(1).to_string()]);
    }

    #[test]
    fn revoking_in_a_tenant_leaves_the_users_other_tenants_signed_in() {
        let db = signed_in();
        block_on(db.batch(vec![
            accounts::tenant(tenant_id(2), "Other", AT),
            accounts::membership(tenant_id(2), user_id(1), "staff", AT),
        ]))
        .unwrap();
        block_on(db.batch(start(session_id(2), user_id(1), tenant_id(2), None, AT, ENDS, "r2"))).unwrap();
        let user = user_id(1).to_string();
        assert_eq!(
            block_on(revoke_in_tenant(&db, &user, tenant_id(2), "role_changed", LATER)).unwrap().changes,
            1
        );
        assert!(block_on(live_role(&db, session_id(1), user_id(1), tenant_id(1))).unwrap().is_some());
        assert_eq!(block_on(revoke_all(&db, &user, "password_reset", LATER)).unwrap().changes, 1);
        assert!(block_on(live_role(&db, session_id(1), user_id(1), tenant_id(1))).unwrap().is_none());
    }
}
