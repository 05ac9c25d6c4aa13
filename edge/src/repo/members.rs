//! A tenant's team (`memberships` as owners manage them) and the invitations to join it
//! (`invitations`). Memberships are created by [`crate::repo::accounts`].

use domain::TenantId;
use serde::Deserialize;
use tenancy::sql::{Sql, SqlError, Statement};

/// A new invitation, stored by the hash of its token.
pub struct NewInvitation<'a> {
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// The tenant to join.
    pub tenant: TenantId,
    /// Who is invited.
    pub email: &'a str,
    /// `staff` or `viewer`.
    pub role: &'a str,
    /// The user who invited them.
    pub invited_by: &'a str,
    /// When the link stops working.
    pub expires_at: &'a str,
    /// When it was sent.
    pub at: &'a str,
}

/// Stores an invitation.
pub fn invite(invitation: &NewInvitation<'_>) -> Statement {
    Statement::new(
        "INSERT INTO invitations (token_hash, tenant_id, email, role, invited_by, expires_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        vec![
            invitation.token_hash.into(),
            invitation.tenant.to_string().into(),
            invitation.email.into(),
            invitation.role.into(),
            invitation.invited_by.into(),
            invitation.expires_at.into(),
            invitation.at.into(),
        ],
    )
}

/// An invitation not yet accepted.
#[derive(Debug, Deserialize)]
pub struct InvitationRow {
    /// The tenant to join.
    pub tenant_id: String,
    /// Who is invited.
    pub email: String,
    /// The role they get.
    pub role: String,
}

/// The invitation with this token hash, unless accepted or expired at `now`.
pub async fn invitation(
    db: &impl Sql,
    token_hash: &str,
    now: &str,
) -> Result<Option<InvitationRow>, SqlError> {
    db.first(Statement::new(
        "SELECT tenant_id, email, role FROM invitations WHERE token_hash = ?1 AND accepted_at IS NULL AND expires_at > ?2",
        vec![token_hash.into(), now.into()],
    ))
    .await
}

/// Marks an invitation accepted; `false` when it already was (another request accepted it).
pub async fn accept(db: &impl Sql, token_hash: &str, at: &str) -> Result<bool, SqlError> {
    let claimed = db
        .run(Statement::new(
            "UPDATE invitations SET accepted_at = ?2 WHERE token_hash = ?1 AND accepted_at IS NULL",
            vec![token_hash.into(), at.into()],
        ))
        .await?;
    Ok(claimed.changes > 0)
}

#[derive(Deserialize)]
struct Found {
    #[expect(dead_code, reason = "only whether a row exists matters")]
    n: i64,
}

/// Whether the user with this email is a member of the tenant.
pub async fn is_member_email(db: &impl Sql, tenant: TenantId, email: &str) -> Result<bool, SqlError> {
    let row: Option<Found> = db
        .first(Statement::new(
            "SELECT 1 AS n FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ?1 AND u.email = ?2",
            vec![tenant.to_string().into(), email.into()],
        ))
        .await?;
    Ok(row.is_some())
}

#[derive(Deserialize)]
struct Sent {
    by_team: i64,
    to_address: i64,
}

/// The invitations sent after `since`: by the tenant, and to `email` by any tenant.
pub async fn invitations_since(
    db: &impl Sql,
    tenant: TenantId,
    email: &str,
    since: &str,
) -> Result<(u64, u64), SqlError> {
    let row: Option<Sent> = db
        .first(Statement::new(
            "SELECT (SELECT COUNT(*) FROM invitations WHERE tenant_id = ?1 AND created_at > ?3) AS by_team, \
                    (SELECT COUNT(*) FROM invitations WHERE email = ?2 AND created_at > ?3) AS to_address",
            vec![tenant.to_string().into(), email.into(), since.into()],
        ))
        .await?;
    Ok(row.map_or((0, 0), |r| (r.by_team.max(0) as u64, r.to_address.max(0) as u64)))
}

/// A member of a tenant's team.
#[derive(Debug, Deserialize)]
pub struct MemberRow {
    /// The user.
    pub user_id: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: String,
    /// When they joined.
    pub joined_at: String,
}

/// A tenant's team, earliest member first.
pub async fn members(db: &impl Sql, tenant: TenantId) -> Result<Vec<MemberRow>, SqlError> {
    db.all(Statement::new(
        "SELECT m.user_id, u.email, m.role, m.created_at AS joined_at FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = ?1 ORDER BY m.created_at",
        vec![tenant.to_string().into()],
    ))
    .await
}

/// How many owners a tenant has.
pub async fn owners(db: &impl Sql, tenant: TenantId) -> Result<u64, SqlError> {
    let row: Option<crate::repo::Count> = db
        .first(Statement::new(
            "SELECT COUNT(*) AS n FROM memberships WHERE tenant_id = ?1 AND role = 'owner'",
            vec![tenant.to_string().into()],
        ))
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

#[derive(Deserialize)]
struct RoleRow {
    role: String,
}

/// A user's role in a tenant, if they are a member.
pub async fn role(db: &impl Sql, tenant: TenantId, user: &str) -> Result<Option<String>, SqlError> {
    let row: Option<RoleRow> = db
        .first(Statement::new(
            "SELECT role FROM memberships WHERE tenant_id = ?1 AND user_id = ?2",
            vec![tenant.to_string().into(), user.into()],
        ))
        .await?;
    Ok(row.map(|r| r.role))
}

/// Changes a member's role.
pub fn set_role(tenant: TenantId, user: &str, role: &str) -> Statement {
    Statement::new(
        "UPDATE memberships SET role = ?3 WHERE tenant_id = ?1 AND user_id = ?2",
        vec![tenant.to_string().into(), user.into(), role.into()],
    )
}

/// Removes a member from a tenant.
pub fn remove(tenant: TenantId, user: &str) -> Statement {
    Statement::new(
        "DELETE FROM memberships WHERE tenant_id = ?1 AND user_id = ?2",
        vec![tenant.to_string().into(), user.into()],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts::{membership, sign_up, user};
    use crate::repo::testing::{block_on, platform, tenant_id};
    use domain::UserId;

    const AT: &str = "2026-01-01T00:00:00Z";

    fn user_id(n: u8) -> UserId {
        format!("20000000-0000-4000-8000-{n:012}").parse().unwrap()
    }

    fn invitation_for<'a>(hash: &'a str, expires_at: &'a str) -> NewInvitation<'a> {
        NewInvitation {
            token_hash: hash,
            tenant: tenant_id(1),
            email: "c@example.com",
            role: "staff",
            invited_by: "someone",
            expires_at,
            at: AT,
        }
    }

    #[test]
    fn an_invitation_is_accepted_once() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![invite(&invitation_for("t1", "2026-01-08T00:00:00Z"))])).unwrap();
        let open = block_on(invitation(&db, "t1", AT)).unwrap().expect("the invitation is open");
        assert_eq!((open.email.as_str(), open.role.as_str()), ("c@example.com", "staff"));
        assert!(block_on(accept(&db, "t1", AT)).unwrap());
        assert!(!block_on(accept(&db, "t1", AT)).unwrap());
        assert!(block_on(invitation(&db, "t1", AT)).unwrap().is_none());
    }

    #[test]
    fn invitations_are_counted_by_team_and_by_address_after_a_time() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(sign_up(tenant_id(2), "Other", user_id(2), "b@example.com", "h", AT))).unwrap();
        let at = |hash, tenant, email, at| NewInvitation {
            tenant,
            email,
            at,
            ..invitation_for(hash, "2027-01-01T00:00:00Z")
        };
        block_on(db.batch(vec![
            invite(&at("t1", tenant_id(1), "c@example.com", "2026-01-01T10:00:00Z")),
            invite(&at("t2", tenant_id(1), "d@example.com", "2026-01-01T11:00:00Z")),
            invite(&at("t3", tenant_id(2), "c@example.com", "2026-01-01T12:00:00Z")),
        ]))
        .unwrap();
        let since = |s| block_on(invitations_since(&db, tenant_id(1), "c@example.com", s)).unwrap();
        assert_eq!(
            since("2026-01-01T09:00:00Z"),
            (2, 2),
            "the team's two, and the address's from both teams"
        );
        assert_eq!(since("2026-01-01T10:30:00Z"), (1, 1));
        assert_eq!(since("2026-01-01T12:00:00Z"), (0, 0), "strictly after");
    }

    #[test]
    fn an_expired_invitation_is_not_found() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![invite(&invitation_for("t1", "2026-01-08T00:00:00Z"))])).unwrap();
        assert!(block_on(invitation(&db, "t1", "2026-01-08T00:00:00Z")).unwrap().is_none());
        assert!(block_on(invitation(&db, "t2", AT)).unwrap().is_none());
    }

    #[test]
    fn the_team_is_the_tenants_own_and_owners_are_counted() {
        let db = platform();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", user_id(1), "a@example.com", "h", AT))).unwrap();
        block_on(db.batch(sign_up(tenant_id(2), "Other", user_id(2), "b@example.com", "h", AT))).unwrap();
        block_on(db.batch(vec![
            user(user_id(3), "c@example.com", "h", Some(AT), "2026-01-02T00:00:00Z"),
            membership(tenant_id(1), user_id(3), "staff", "2026-01-02T00:00:00Z"),
        ]))
        .unwrap();
        let team: Vec<_> =
            block_on(members(&db, tenant_id(1))).unwrap().into_iter().map(|m| m.email).collect();
        assert_eq!(team, ["a@example.com", "c@example.com"]);
        assert!(block_on(is_member_email(&db, tenant_id(1), "c@example.com")).unwrap());
        assert!(!block_on(is_member_email(&db, tenant_id(1), "b@example.com")).unwrap());
        assert_eq!(block_on(owners(&db, tenant_id(1))).unwrap(), 1);
        block_on(db.batch(vec![set_role(tenant_id(1), &user_id(3).to_string(), "owner")])).unwrap();
        assert_eq!(block_on(owners(&db, tenant_id(1))).unwrap(), 2);
        block_on(db.batch(vec![remove(tenant_id(2), &user_id(3).to_string())])).unwrap();
        assert_eq!(
            block_on(role(&db, tenant_id(1), &user_id(3).to_string())).unwrap().as_deref(),
            Some("owner")
        );
        block_on(db.batch(vec![remove(tenant_id(1), &user_id(3).to_string())])).unwrap();
        assert_eq!(block_on(role(&db, tenant_id(1), &user_id(3).to_string())).unwrap(), None);
    }
}
