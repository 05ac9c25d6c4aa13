//! Two-factor sign-in (`two_factor`, `recovery_codes`, `login_challenges`): a user's sealed TOTP
//! secret and whether it is on, the last time step accepted, the single-use recovery codes, and
//! the challenges of logins waiting for their second factor. What is sealed or hashed, and how, is
//! [`crate::auth::totp`]'s business; these statements only store it.

use serde::Deserialize;
use tenancy::sql::{Outcome, Sql, SqlError, Statement};

/// A user's TOTP factor.
#[derive(Debug, Deserialize)]
pub struct FactorRow {
    /// The sealed secret.
    pub secret_sealed: String,
    /// When it was turned on; `None` while an enrolment waits for its first code.
    pub enabled_at: Option<String>,
    /// The time step of the last code accepted.
    pub last_step: i64,
}

/// The user's factor, on or being enrolled.
pub async fn factor(db: &impl Sql, user: &str) -> Result<Option<FactorRow>, SqlError> {
    db.first(Statement::new(
        "SELECT secret_sealed, enabled_at, last_step FROM two_factor WHERE user_id = ?1",
        vec![user.into()],
    ))
    .await
}

/// Starts (or restarts) an enrolment with a new sealed secret; a factor that is on stays as it
/// is (no change).
pub async fn start_enrolment(db: &impl Sql, user: &str, sealed: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "INSERT INTO two_factor (user_id, secret_sealed, enabled_at, last_step, created_at) VALUES (?1, ?2, NULL, 0, ?3) \
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at \
         WHERE two_factor.enabled_at IS NULL",
        vec![user.into(), sealed.into(), at.into()],
    ))
    .await
}

/// The statements that turn a pending enrolment on with its first accepted step and a new set of
/// recovery code hashes (replacing any earlier set). The first changes nothing when the factor
/// was turned on meanwhile.
pub fn enable(user: &str, step: i64, recovery_hashes: &[String], at: &str) -> Vec<Statement> {
    let mut statements = vec![
        Statement::new(
            "UPDATE two_factor SET enabled_at = ?2, last_step = ?3 WHERE user_id = ?1 AND enabled_at IS NULL",
            vec![user.into(), at.into(), step.into()],
        ),
        Statement::new("DELETE FROM recovery_codes WHERE user_id = ?1", vec![user.into()]),
    ];
    statements.extend(recovery_hashes.iter().map(|hash| {
        Statement::new(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)",
            vec![user.into(), hash.into()],
        )
    }));
    statements
}

/// The statements that turn the factor off and drop its recovery codes and waiting challenges.
pub fn disable(user: &str) -> Vec<Statement> {
    ["two_factor", "recovery_codes", "login_challenges"]
        .iter()
        .map(|table| Statement::new(format!("DELETE FROM {table} WHERE user_id = ?1"), vec![user.into()]))
        .collect()
}

/// Records `step` as the last one accepted, unless a step as late was accepted meanwhile (two
/// requests racing with one code): one change when this call won.
pub async fn claim_step(db: &impl Sql, user: &str, step: i64) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE two_factor SET last_step = ?2 WHERE user_id = ?1 AND enabled_at IS NOT NULL AND last_step < ?2",
        vec![user.into(), step.into()],
    ))
    .await
}

/// Uses a recovery code: one change when it was the user's and unused.
pub async fn use_recovery_code(db: &impl Sql, user: &str, hash: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE recovery_codes SET used_at = ?3 WHERE user_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
        vec![user.into(), hash.into(), at.into()],
    ))
    .await
}

/// How many of the user's recovery codes are left.
pub async fn recovery_codes_left(db: &impl Sql, user: &str) -> Result<i64, SqlError> {
    let row: Option<crate::repo::Count> = db
        .first(Statement::new(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
            vec![user.into()],
        ))
        .await?;
    Ok(row.map_or(0, |r| i64::try_from(r.n).unwrap_or(i64::MAX)))
}

/// Whether the user has the factor on (the step-up check before sensitive actions).
pub async fn enabled(db: &impl Sql, user: &str) -> Result<bool, SqlError> {
    Ok(factor(db, user).await?.is_some_and(|f| f.enabled_at.is_some()))
}

/// Opens a login challenge; old ones of the user that expired are cleared at the same time.
pub fn open_challenge(hash: &str, user: &str, tenant: &str, expires_at: &str, now: &str) -> Vec<Statement> {
    vec![
        Statement::new(
            "DELETE FROM login_challenges WHERE user_id = ?1 AND expires_at <= ?2",
            vec![user.into(), now.into()],
        ),
        Statement::new(
            "INSERT INTO login_challenges (token_hash, user_id, tenant_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            vec![hash.into(), user.into(), tenant.into(), expires_at.into()],
        ),
    ]
}

/// A login challenge that is still open.
#[derive(Debug, Deserialize)]
pub struct ChallengeRow {
    /// Who logged in.
    pub user_id: String,
    /// The tenant the login chose.
    pub tenant_id: String,
    /// Wrong codes so far.
    pub attempts: i64,
}

/// The open challenge with this hash: unused, unexpired at `now`, and under `max_attempts`.
pub async fn challenge(
    db: &impl Sql,
    hash: &str,
    now: &str,
    max_attempts: i64,
) -> Result<Option<ChallengeRow>, SqlError> {
    db.first(Statement::new(
        "SELECT user_id, tenant_id, attempts FROM login_challenges \
         WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 AND attempts < ?3",
        vec![hash.into(), now.into(), max_attempts.into()],
    ))
    .await
}

/// Counts a wrong code against a challenge.
pub async fn challenge_failed(db: &impl Sql, hash: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?1",
        vec![hash.into()],
    ))
    .await
}

/// Uses a challenge up: one change when this call was the first.
pub async fn use_challenge(db: &impl Sql, hash: &str, at: &str) -> Result<Outcome, SqlError> {
    db.run(Statement::new(
        "UPDATE login_challenges SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
        vec![hash.into(), at.into()],
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::accounts::sign_up;
    use crate::repo::testing::{block_on, platform, tenant_id};
    use domain::UserId;

    const AT: &str = "2026-01-01T00:00:00.000Z";
    const LATER: &str = "2026-01-01T00:10:00.000Z";

    fn user() -> String {
        "20000000-0000-4000-8000-000000000001".to_owned()
    }

    fn signed_up() -> tenancy::shards::PlatformDb<tenancy::sqlite::Sqlite> {
        let db = platform();
        let id: UserId = user().parse().unwrap();
        block_on(db.batch(sign_up(tenant_id(1), "Acme", id, "a@example.com", "h", AT))).unwrap();
        db
    }

    #[test]
    fn an_enrolment_is_off_until_confirmed_and_cannot_be_restarted_once_on() {
        let db = signed_up();
        block_on(start_enrolment(&db, &user(), "sealed-1", AT)).unwrap();
        block_on(start_enrolment(&db, &user(), "sealed-2", AT)).unwrap();
        let pending = block_on(factor(&db, &user())).unwrap().unwrap();
        assert_eq!((pending.secret_sealed.as_str(), pending.enabled_at), ("sealed-2", None));
        assert!(!block_on(enabled(&db, &user())).unwrap());

        let hashes: Vec<String> = (0..10).map(|i| format!("hash-{i}")).collect();
        block_on(db.batch(enable(&user(), 100, &hashes, AT))).unwrap();
        assert!(block_on(enabled(&db, &user())).unwrap());
        assert_eq!(block_on(recovery_codes_left(&db, &user())).unwrap(), 10);
        assert_eq!(block_on(start_enrolment(&db, &user(), "sealed-3", AT)).unwrap().changes, 0);
        assert_eq!(block_on(factor(&db, &user())).unwrap().unwrap().secret_sealed, "sealed-2");
    }

    #[test]
    fn a_step_is_claimed_once_and_never_an_earlier_one() {
        let db = signed_up();
        block_on(start_enrolment(&db, &user(), "sealed", AT)).unwrap();
        assert_eq!(block_on(claim_step(&db, &user(), 101)).unwrap().changes, 0, "not on yet");
        block_on(db.batch(enable(&user(), 100, &[], AT))).unwrap();
        assert_eq!(block_on(claim_step(&db, &user(), 100)).unwrap().changes, 0);
        assert_eq!(block_on(claim_step(&db, &user(), 101)).unwrap().changes, 1);
        assert_eq!(block_on(claim_step(&db, &user(), 101)).unwrap().changes, 0);
        assert_eq!(block_on(factor(&db, &user())).unwrap().unwrap().last_step, 101);
    }

    #[test]
    fn a_recovery_code_works_once_and_disabling_drops_everything() {
        let db = signed_up();
        block_on(start_enrolment(&db, &user(), "sealed", AT)).unwrap();
        block_on(db.batch(enable(&user(), 1, &["a".to_owned(), "b".to_owned()], AT))).unwrap();
        assert_eq!(block_on(use_recovery_code(&db, &user(), "a", AT)).unwrap().changes, 1);
        assert_eq!(block_on(use_recovery_code(&db, &user(), "a", AT)).unwrap().changes, 0);
        assert_eq!(block_on(use_recovery_code(&db, &user(), "zz", AT)).unwrap().changes, 0);
        assert_eq!(block_on(recovery_codes_left(&db, &user())).unwrap(), 1);
        block_on(db.batch(disable(&user()))).unwrap();
        assert!(block_on(factor(&db, &user())).unwrap().is_none());
        assert_eq!(block_on(recovery_codes_left(&db, &user())).unwrap(), 0);
    }

    #[test]
    fn a_challenge_is_open_until_used_expired_or_failed_too_often() {
        let db = signed_up();
        let tenant = tenant_id(1).to_string();
        block_on(db.batch(open_challenge("c1", &user(), &tenant, "2026-01-01T00:05:00.000Z", AT))).unwrap();
        let open = block_on(challenge(&db, "c1", AT, 5)).unwrap().expect("open");
        assert_eq!((open.user_id, open.tenant_id, open.attempts), (user(), tenant.clone(), 0));
        assert!(block_on(challenge(&db, "c1", LATER, 5)).unwrap().is_none(), "expired");
        block_on(challenge_failed(&db, "c1")).unwrap();
        assert!(block_on(challenge(&db, "c1", AT, 1)).unwrap().is_none(), "too many wrong codes");
        assert_eq!(block_on(use_challenge(&db, "c1", AT)).unwrap().changes, 1);
        assert_eq!(block_on(use_challenge(&db, "c1", AT)).unwrap().changes, 0);
        assert!(block_on(challenge(&db, "c1", AT, 5)).unwrap().is_none(), "used");
        // A later login clears the challenges that expired.
        block_on(db.batch(open_challenge("c2", &user(), &tenant, "2026-01-01T00:15:00.000Z", LATER)))
            .unwrap();
        assert!(block_on(challenge(&db, "c2", LATER, 5)).unwrap().is_some());
    }
}
