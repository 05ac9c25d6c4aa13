//! Verified custom domains stay proven: each is checked every [`domain::dns::RECHECK_HOURS`] for
//! the TXT record that verified it, and one whose record has been missing for
//! [`domain::dns::MISSING_RECORD_DAYS`] is released (no longer routed, its Cloudflare custom
//! hostname deleted), since whoever holds the domain now has not proven it is the merchant.

use crate::config::{Config, EDGE_KV};
use crate::error::{ApiError, ApiResult};
use crate::repo::audit_log::record;
use crate::repo::domains::{self, DueCheck};
use crate::runtime::{now, rfc3339};
use crate::v1::domains::{lookup_txt, txt_record, unavailable, CHALLENGE_LABEL};
use domain::StoreHost;
use queues::internal_api::{DomainsRechecked, RecheckDueDomains};
use tenancy::routing::Routing;
use tenancy::shards::PlatformDb;
use tenancy::sql::Sql;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use worker::Env;

/// Whether a record missing since `since` has been missing long enough at `at` to release.
fn long_missing(since: Option<&str>, at: OffsetDateTime) -> bool {
    since
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .is_some_and(|since| at - since >= Duration::days(domain::dns::MISSING_RECORD_DAYS))
}

/// `POST /internal/domains/recheck`: checks the domains due at the scheduled time. A resolver
/// that cannot answer leaves a domain due (checked again next tick), never released.
pub async fn recheck(env: &Env, config: &Config, input: RecheckDueDomains) -> ApiResult<DomainsRechecked> {
    let limit = input.limit.clamp(1, 100);
    let at = queues::schedule::scheduled_time(input.at.as_deref(), now())
        .map_err(|e| ApiError::invalid("at", e))?;
    let db = PlatformDb::open(env)?;
    let cutoff = rfc3339(at - Duration::hours(domain::dns::RECHECK_HOURS));
    let mut due = domains::due_checks(&db, &cutoff, limit + 1).await?;
    let more = due.len() > limit as usize;
    due.truncate(limit as usize);
    let mut answer = DomainsRechecked { checked: 0, missing: 0, released: 0, more };
    let stamp = rfc3339(at);
    for domain in due {
        let found = match lookup_txt(&config.doh_url, &format!("{CHALLENGE_LABEL}.{}", domain.host)).await {
            Ok(texts) => texts.iter().any(|t| t.trim() == txt_record(&domain.challenge)),
            Err(_) => continue,
        };
        answer.checked += 1;
        if found {
            db.batch(vec![domains::checked(&domain.host, true, &stamp)]).await?;
            continue;
        }
        answer.missing += 1;
        if long_missing(domain.record_missing_since.as_deref(), at) {
            release(env, config, &db, &domain, &stamp).await?;
            answer.released += 1;
        } else {
            db.batch(vec![domains::checked(&domain.host, false, &stamp)]).await?;
        }
    }
    Ok(answer)
}

/// Stops serving a domain whose record stayed missing: Cloudflare's hostname first (a failure
/// leaves the domain as it was, due again next tick), then the row and the route.
async fn release(env: &Env, config: &Config, db: &PlatformDb, domain: &DueCheck, at: &str) -> ApiResult<()> {
    if let Some(hostname) = &domain.cf_hostname_id {
        config.cloudflare.delete_hostname(hostname).await.map_err(unavailable)?;
    }
    let store = domain.store_id.parse().map_err(|e| ApiError::internal("domain row", e))?;
    let tenant = domain.tenant_id.parse().ok();
    db.batch(vec![domains::remove(store, &domain.host)]).await?;
    record(db, tenant, "platform", "domain.released", &domain.host, at).await?;
    if let Ok(routed) = StoreHost::parse(&domain.host) {
        Routing::new(env.kv(EDGE_KV)?).unpublish(&routed).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_record_is_released_only_after_missing_for_the_whole_period() {
        let at = datetime!(2026-12-10 12:00 UTC);
        assert!(!long_missing(None, at), "found at the last check");
        assert!(!long_missing(Some("2026-12-07T12:00:01Z"), at));
        assert!(long_missing(Some("2026-12-07T12:00:00Z"), at));
        assert!(!long_missing(Some("not a time"), at));
    }
}
