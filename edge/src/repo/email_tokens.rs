//! Single-use tokens of account mails (`email_tokens`), and what they change on `users`: the
//! verified address and the password.

use serde::Deserialize;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// Stores a token (by its hash) for a user and purpose (`verify_email`, `password_reset`).
pub async fn create(
    db: &impl Sql,
    token_hash: &str,
    user: &str,
    purpose: &str,
    expires_at: &str,
    at: &str,
) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        vec![token_hash.into(), user.into(), purpose.into(), expires_at.into(), at.into()],
    ))
    .await
}

/// How many tokens of `purpose` the user was given after `since`, used or not.
pub async fn created_since(db: &impl Sql, user: &str, purpose: &str, since: &str) -> Result<u64, SqlError> {
    let row: Option<crate::repo::Count> = db
        .first(Statement::new(
            "SELECT COUNT(*) AS n FROM email_tokens WHERE user_id = ?1 AND purpose = ?2 AND created_at > ?3",
            vec![user.into(), purpose.into(), since.into()],
        ))
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

#[derive(Deserialize)]
struct Holder {
    user_id: String,
}

/// The user of a token of `purpose` that is unused and unexpired at `now`.
pub async fn holder(
    db: &impl Sql,
    token_hash: &str,
    purpose: &str,
    now: &str,
) -> Result<Option<String>, SqlError> {
    let row: Option<Holder> = db
        .first(Statement::new(
            "SELECT user_id FROM email_tokens WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3",
            vec![token_hash.into(), purpose.into(), now.into()],
        ))
        .await?;
    Ok(row.map(|r| r.user_id))
}

/// Spends a token; `false` when it was spent already (another request spent it first).
pub async fn spend(db: &impl Sql, token_hash: &str, at: &str) -> Result<bool, SqlError> {
    let used = db
        .run(Statement::new(
            "UPDATE email_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
            vec![token_hash.into(), at.into()],
        ))
        .await?;
    Ok(used.changes > 0)
}

/// Spends every reset link of `user` still unused: once a password is reset, older links to reset
/// it are void.
pub fn spend_resets(user: &str, at: &str) -> Statement {
    Statement::new(
        "UPDATE email_tokens SET used_at = ?2 WHERE user_id = ?1 AND purpose = 'password_reset' AND used_at IS NULL",
        vec![user.into(), at.into()],
    )
}

/// A user's address, with the tenant a mail to them is sent for.
#[derive(Debug, Deserialize)]
pub struct Recipient {
    /// User id.
    pub id: String,
    /// Their address.
    pub email: String,
    /// When they verified it.
    pub email_verified_at: Option<String>,
    /// Their first tenant (only when looked up by email).
    pub tenant_id: Option<String>,
}

/// A user by id.
pub async fn user(db: &impl Sql, id: &str) -> Result<Option<Recipient>, SqlError> {
    db.first(Statement::new(
        "SELECT id, email, email_verified_at, NULL AS tenant_id FROM users WHERE id = ?1",
        vec![id.into()],
    ))
    .await
}

/// A user by email, with the tenant they joined first (none when they belong to no tenant).
pub async fn user_by_email(db: &impl Sql, email: &str) -> Result<Option<Recipient>, SqlError> {
    db.first(Statement::new(
        "SELECT u.id, u.email, u.email_verified_at, m.tenant_id FROM users u \
         LEFT JOIN memberships m ON m.user_id = u.id WHERE u.email = ?1 ORDER BY m.created_at LIMIT 1",
        vec![email.into()],
    ))
    .await
}

/// Marks a user's address verified, keeping the first time.
pub fn verify(user: &str, at: &str) -> Statement {
    Statement::new(
        "UPDATE users SET email_verified_at = ?2 WHERE id = ?1 AND email_verified_at IS NULL",
        vec![user.into(), at.into()],
    )
}

/// Sets a user's password from a reset link, which also proves the address.
pub fn reset_password(user: &str, password_hash: &str, at: &str) -> Statement {
    Statement::new(
        "UPDATE users SET password_hash = ?2, email_verified_at = COALESCE(email_verified_at, ?3) WHERE id = ?1",
        vec![user.into(), password_hash.into(), at.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts;
    use crate::repo::testing::{block_on, platform, tenant_id};
    use domain::UserId;
    use tenancy::shards::PlatformDb;
    use tenancy::sqlite::Sqlite;

    const AT: &str = "2026-01-01T00:00:00Z";
    const LATER: &str = "2026-01-02T00:00:00Z";
    const USER: &str = "20000000-0000-4000-8000-000000000001";

    fn signed_up() -> PlatformDb<Sqlite> {
        let db = platform();
        let user: UserId = USER.parse().unwrap();
        block_on(db.batch(accounts::sign_up(tenant_id(1), "Acme", user, "a@example.com", "h", AT))).unwrap();
        db
    }

    #[test]
    fn the_tokens_given_since_a_time_are_counted_by_purpose_used_or_not() {
        let db = signed_up();
        block_on(create(&db, "t1", USER, "password_reset", LATER, "2026-01-01T10:00:00Z")).unwrap();
        block_on(create(&db, "t2", USER, "password_reset", LATER, "2026-01-01T10:30:00Z")).unwrap();
        block_on(create(&db, "t3", USER, "verify_email", LATER, "2026-01-01T10:30:00Z")).unwrap();
        assert!(block_on(spend(&db, "t1", "2026-01-01T10:05:00Z")).unwrap());
        let count = |since| block_on(created_since(&db, USER, "password_reset", since)).unwrap();
        assert_eq!(count("2026-01-01T09:00:00Z"), 2);
        assert_eq!(count("2026-01-01T10:00:00Z"), 1);
    }

    #[test]
    fn a_token_works_once_for_its_purpose_until_it_expires() {
        let db = signed_up();
        block_on(create(&db, "t1", USER, "verify_email", LATER, AT)).unwrap();
        assert_eq!(block_on(holder(&db, "t1", "password_reset", AT)).unwrap(), None);
        assert_eq!(block_on(holder(&db, "t1", "verify_email", LATER)).unwrap(), None);
        assert_eq!(block_on(holder(&db, "t1", "verify_email", AT)).unwrap().as_deref(), Some(USER));
        assert!(block_on(spend(&db, "t1", AT)).unwrap());
        assert!(!block_on(spend(&db, "t1", AT)).unwrap());
        assert_eq!(block_on(holder(&db, "t1", "verify_email", AT)).unwrap(), None);
    }

    #[test]
    fn a_reset_voids_the_users_other_reset_links_only() {
        let db = signed_up();
        block_on(create(&db, "r1", USER, "password_reset", LATER, AT)).unwrap();
        block_on(create(&db, "r2", USER, "password_reset", LATER, AT)).unwrap();
        block_on(create(&db, "v1", USER, "verify_email", LATER, AT)).unwrap();
        assert!(block_on(spend(&db, "r2", AT)).unwrap());
        block_on(db.batch(vec![spend_resets(USER, AT)])).unwrap();
        assert_eq!(block_on(holder(&db, "r1", "password_reset", AT)).unwrap(), None, "an older link is void");
        assert_eq!(block_on(holder(&db, "v1", "verify_email", AT)).unwrap().as_deref(), Some(USER));
    }

    #[test]
    fn verifying_keeps_the_first_time_and_a_reset_verifies_too() {
        let db = signed_up();
        assert_eq!(block_on(user(&db, USER)).unwrap().unwrap().email_verified_at, None);
        block_on(db.batch(vec![reset_password(USER, "h2", AT)])).unwrap();
        block_on(db.batch(vec![verify(USER, LATER), reset_password(USER, "h3", LATER)])).unwrap();
        let row = block_on(user(&db, USER)).unwrap().unwrap();
        assert_eq!((row.email_verified_at.as_deref(), row.tenant_id), (Some(AT), None));
        assert_eq!(
            block_on(accounts::user_by_email(&db, "a@example.com")).unwrap().unwrap().password_hash,
            "h3"
        );
    }

    #[test]
    fn a_user_found_by_email_carries_their_first_tenant() {
        let db = signed_up();
        let user: UserId = USER.parse().unwrap();
        block_on(db.batch(vec![
            accounts::tenant(tenant_id(2), "Later", LATER),
            accounts::membership(tenant_id(2), user, "viewer", LATER),
        ]))
        .unwrap();
        let found = block_on(user_by_email(&db, "a@example.com")).unwrap().expect("the user exists");
        assert_eq!(found.tenant_id, Some(tenant_id(1).to_string()));
        assert!(block_on(user_by_email(&db, "b@example.com")).unwrap().is_none());
    }

    #[test]
    fn a_user_of_no_tenant_is_found_without_one() {
        let db = platform();
        let user: UserId = USER.parse().unwrap();
        block_on(db.batch(vec![accounts::user(user, "a@example.com", "h", None, AT)])).unwrap();
        let found = block_on(user_by_email(&db, "a@example.com")).unwrap().expect("the user exists");
        assert_eq!((found.id.as_str(), found.tenant_id), (USER, None));
    }
}
