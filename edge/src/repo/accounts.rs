//! Tenants, users and memberships (`tenants`' identity columns, `users`, `memberships`): signing
//! up, and finding a user and their tenants to sign in. A tenant's team is managed in
//! [`crate::repo::members`], plans and subscriptions in [`crate::repo::billing`], sessions in
//! [`crate::repo::sessions`].

use domain::{TenantId, UserId};
use serde::Deserialize;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// Creates a tenant on the Starter plan.
pub fn tenant(id: TenantId, name: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO tenants (id, name, plan, created_at) VALUES (?1, ?2, 'starter', ?3)",
        vec![id.to_string().into(), name.into(), at.into()],
    )
}

/// Creates a user; a duplicate email is a unique violation.
pub fn user(id: UserId, email: &str, password_hash: &str, verified_at: Option<&str>, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO users (id, email, password_hash, email_verified_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        vec![id.to_string().into(), email.into(), password_hash.into(), verified_at.into(), at.into()],
    )
}

/// Makes a user a member of a tenant; a second membership is a unique violation.
pub fn membership(tenant: TenantId, user: UserId, role: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        vec![tenant.to_string().into(), user.to_string().into(), role.into(), at.into()],
    )
}

/// Makes a user a member of a tenant unless they are one already (their role then stays).
pub fn join(tenant: TenantId, user: UserId, role: &str, at: &str) -> Statement {
    Statement::new(
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        vec![tenant.to_string().into(), user.to_string().into(), role.into(), at.into()],
    )
}

/// The statements of a sign-up: the tenant, its first user, who owns it. They commit together.
pub fn sign_up(
    tenant_id: TenantId,
    company: &str,
    user_id: UserId,
    email: &str,
    hash: &str,
    at: &str,
) -> Vec<Statement> {
    vec![
        tenant(tenant_id, company, at),
        user(user_id, email, hash, None, at),
        membership(tenant_id, user_id, "owner", at),
    ]
}

/// A user's credentials.
#[derive(Debug, Deserialize)]
pub struct UserRow {
    /// User id.
    pub id: String,
    /// Argon2 hash of the password.
    pub password_hash: String,
}

/// The user with this (normalised) email.
pub async fn user_by_email(db: &impl Sql, email: &str) -> Result<Option<UserRow>, SqlError> {
    db.first(Statement::new("SELECT id, password_hash FROM users WHERE email = ?1", vec![email.into()])).await
}

/// A user's email and password hash, by id.
#[derive(Debug, Deserialize)]
pub struct UserById {
    /// The (normalised) email.
    pub email: String,
    /// Argon2 hash of the password.
    pub password_hash: String,
}

/// The user with this id.
pub async fn user_by_id(db: &impl Sql, id: &str) -> Result<Option<UserById>, SqlError> {
    db.first(Statement::new("SELECT email, password_hash FROM users WHERE id = ?1", vec![id.into()])).await
}

/// Replaces a user's password hash.
pub async fn set_password_hash(db: &impl Sql, user: &str, hash: &str) -> Result<Outcome, SqlError> {
    db.run(password_hash(user, hash)).await
}

/// The statement replacing a user's password hash, for a batch.
pub fn password_hash(user: &str, hash: &str) -> Statement {
    Statement::new("UPDATE users SET password_hash = ?2 WHERE id = ?1", vec![user.into(), hash.into()])
}

/// A user's membership of a tenant.
#[derive(Debug, Deserialize)]
pub struct MembershipRow {
    /// The tenant.
    pub tenant_id: String,
    /// `owner`, `staff` or `viewer`.
    pub role: String,
}

/// A user's memberships, oldest first (the first is where a login without a tenant lands).
pub async fn memberships(db: &impl Sql, user: &str) -> Result<Vec<MembershipRow>, SqlError> {
    db.all(Statement::new(
        "SELECT tenant_id, role FROM memberships WHERE user_id = ?1 ORDER BY created_at",
        vec![user.into()],
    ))
    .await
}

/// A user's membership of one tenant.
pub async fn membership_of(
    db: &impl Sql,
    user: &str,
    tenant: &str,
) -> Result<Option<MembershipRow>, SqlError> {
    db.first(Statement::new(
        "SELECT tenant_id, role FROM memberships WHERE user_id = ?1 AND tenant_id = ?2",
        vec![user.into(), tenant.into()],
    ))
    .await
}

#[derive(Deserialize)]
struct NameRow {
    name: String,
}

/// A tenant's name (its company).
pub async fn tenant_name(db: &impl Sql, tenant: TenantId) -> Result<Option<String>, SqlError> {
    let row: Option<NameRow> = db
        .first(Statement::new("SELECT name FROM tenants WHERE id = ?1", vec![tenant.to_string().into()]))
        .await?;
    Ok(row.map(|r| r.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, platform, tenant_id};

    const AT: &str = "2026-01-01T00:00:00Z";

    fn user_id(n: u8) -> UserId {
        format!("20000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    #[test]
    fn signing_up_twice_with_one_email_is_a_unique_violation_and_leaves_no_tenant() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        let error = block_on(db.batch(sign_up(tenant_id(2), "Copy", user_id(2), "a@example.com", "h", AT)))
            .expect_err("the email is taken");
        assert!(error.is_unique_violation());
        assert_eq!(block_on(tenant_name(&db, tenant_id(2))).unwrap(), None);
        assert_eq!(block_on(tenant_name(&db, tenant_id(1))).unwrap().as_deref(), Some("Acme"));
    }

    #[test]
    fn a_user_is_found_by_email_and_their_first_membership_comes_first() {
        let db = platform();
        block_on(db.batch(vec![tenant(tenant_id(2), "Later", "2026-01-02T00:00:00Z")])).unwrap();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![membership(tenant_id(2), user_id(1), "viewer", "2026-01-02T00:00:00Z")]))
            .unwrap();
        let user = block_on(user_by_email(&db, "a@example.com")).unwrap().expect("the user exists");
        assert_eq!(user.id, user_id(1).to_string());
        assert!(block_on(user_by_email(&db, "b@example.com")).unwrap().is_none());
        let tenants: Vec<_> = block_on(memberships(&db, &user.id))
            .unwrap()
            .into_iter()
            .map(|m| (m.tenant_id, m.role))
            .collect();
        assert_eq!(
            tenants,
            [(tenant_id(1).to_string(), "owner".to_owned()), (tenant_id(2).to_string(), "viewer".to_owned())]
        );
        block_on(set_password_hash(&db, &user.id, "h2")).unwrap();
        assert_eq!(block_on(user_by_email(&db, "a@example.com")).unwrap().unwrap().password_hash, "h2");
    }

    #[test]
    fn joining_twice_keeps_the_first_role() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![join(tenant_id(1), user_id(1), "viewer", AT)])).unwrap();
        let user = user_id(1).to_string();
        let membership = block_on(membership_of(&db, &user, &tenant_id(1).to_string())).unwrap();
        assert_eq!(membership.map(|m| m.role).as_deref(), Some("owner"));
        assert!(block_on(membership_of(&db, &user, &tenant_id(2).to_string())).unwrap().is_none());
    }
}
