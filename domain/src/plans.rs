//! Subscription plans, what each one allows, and when each is due for research.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// A subscription tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// One store on a platform sub-domain, weekly research.
    Starter,
    /// Three stores, daily research, custom domains.
    Growth,
    /// Ten stores, hourly research, API access.
    Pro,
    /// Unlimited, hourly research, a dedicated database shard.
    Enterprise,
}

/// A plan's limits. `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlanLimits {
    /// Stores a tenant may own.
    pub stores: Option<u32>,
    /// Products per store.
    pub products_per_store: Option<u32>,
    /// How often the research pipeline runs for each store.
    pub research_every: ResearchCadence,
    /// How often, in hours, the store's open supplier orders have their tracking read (see
    /// [`crate::tracking::is_due`]).
    pub tracking_every_hours: u8,
    /// Email contacts per tenant.
    pub email_contacts: Option<u32>,
    /// Custom domains per tenant (`Some(0)`: sub-domain only).
    pub custom_domains: Option<u32>,
    /// Whether API keys may be created.
    pub api_access: bool,
    /// Whether the tenant's stores get a database shard of their own.
    pub dedicated_shard: bool,
    /// How many products a new store's launch research run imports at most: enough for a catalog
    /// a shopper can browse (never under [`LAUNCH_IMPORTS_MIN`]).
    pub launch_imports: u16,
    /// AI tokens a tenant's pipelines may spend in one UTC day.
    pub ai_tokens_per_day: i64,
    /// AI spend a tenant's pipelines may reach in one UTC day, in micro-dollars (list prices).
    pub ai_micro_usd_per_day: i64,
    /// The platform's share of each shopper payment, in basis points of the order's goods (the
    /// Connect application fee; see [`crate::payouts::application_fee`]).
    pub application_fee_bps: u16,
}

/// The fewest products any plan's launch run aims for.
pub const LAUNCH_IMPORTS_MIN: u16 = 20;

/// Days a paid plan is kept after a payment fails (Stripe's `past_due`, then `unpaid`), while
/// Stripe retries the card and the owner can update it; then the tenant is on Starter, the plan
/// of a tenant with no subscription, until a payment goes through. Nothing is deleted either way.
pub const PAST_DUE_GRACE_DAYS: i64 = 7;

/// Whether a Stripe subscription `status` says its latest invoice is not paid.
pub fn payment_overdue(status: &str) -> bool {
    matches!(status, "past_due" | "unpaid")
}

/// When a plan whose payment has been overdue since `since` (Unix seconds) lapses.
pub fn grace_ends(since: i64) -> i64 {
    since + PAST_DUE_GRACE_DAYS * 86_400
}

/// How often research runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResearchCadence {
    /// Once an hour.
    Hourly,
    /// Once a day.
    Daily,
    /// Once a week.
    Weekly,
}

impl ResearchCadence {
    /// The length of one research period.
    pub fn period(self) -> Duration {
        match self {
            ResearchCadence::Hourly => Duration::HOUR,
            ResearchCadence::Daily => Duration::DAY,
            ResearchCadence::Weekly => Duration::WEEK,
        }
    }

    /// The start of the period `now` falls in, counted from the Unix epoch. Two fan-outs in the
    /// same period name the same window, which makes the research message idempotent per period.
    pub fn window_start(self, now: OffsetDateTime) -> OffsetDateTime {
        let period = self.period().whole_seconds();
        let secs = now.unix_timestamp();
        let start = secs - secs.rem_euclid(period);
        OffsetDateTime::from_unix_timestamp(start).unwrap_or(now)
    }

    /// Whether a store whose last research run started at `last_started` is due at `now`.
    pub fn is_due(self, last_started: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
        match last_started {
            None => true,
            Some(last) => last < self.window_start(now),
        }
    }
}

impl Plan {
    /// Every plan, cheapest first.
    pub const ALL: [Plan; 4] = [Plan::Starter, Plan::Growth, Plan::Pro, Plan::Enterprise];

    /// What the plan allows.
    pub fn limits(self) -> PlanLimits {
        match self {
            Plan::Starter => PlanLimits {
                stores: Some(1),
                products_per_store: Some(1_000),
                research_every: ResearchCadence::Weekly,
                tracking_every_hours: 12,
                email_contacts: Some(1_000),
                custom_domains: Some(0),
                api_access: false,
                dedicated_shard: false,
                launch_imports: 20,
                application_fee_bps: 200,
                ai_tokens_per_day: 300_000,
                ai_micro_usd_per_day: 1_000_000,
            },
            Plan::Growth => PlanLimits {
                stores: Some(3),
                products_per_store: Some(10_000),
                research_every: ResearchCadence::Daily,
                tracking_every_hours: 6,
                email_contacts: Some(10_000),
                custom_domains: Some(3),
                api_access: false,
                dedicated_shard: false,
                launch_imports: 30,
                application_fee_bps: 100,
                ai_tokens_per_day: 1_500_000,
                ai_micro_usd_per_day: 5_000_000,
            },
            Plan::Pro => PlanLimits {
                stores: Some(10),
                products_per_store: None,
                research_every: ResearchCadence::Hourly,
                tracking_every_hours: 2,
                email_contacts: Some(50_000),
                custom_domains: None,
                api_access: true,
                dedicated_shard: false,
                launch_imports: 40,
                application_fee_bps: 50,
                ai_tokens_per_day: 6_000_000,
                ai_micro_usd_per_day: 20_000_000,
            },
            Plan::Enterprise => PlanLimits {
                stores: None,
                products_per_store: None,
                research_every: ResearchCadence::Hourly,
                tracking_every_hours: 1,
                email_contacts: None,
                custom_domains: None,
                api_access: true,
                dedicated_shard: true,
                launch_imports: 50,
                application_fee_bps: 25,
                ai_tokens_per_day: 25_000_000,
                ai_micro_usd_per_day: 80_000_000,
            },
        }
    }

    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Starter => "starter",
            Plan::Growth => "growth",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }

    /// Parses the stored text form.
    pub fn parse(raw: &str) -> Option<Self> {
        Plan::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// The cheapest plan that allows `count` products in a store, for error messages that name
    /// the plan lifting a limit.
    pub fn cheapest_allowing_products(count: u32) -> Plan {
        Plan::ALL
            .into_iter()
            .find(|p| p.limits().products_per_store.is_none_or(|max| count <= max))
            .unwrap_or(Plan::Enterprise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn research_cadence_follows_the_plan() {
        assert_eq!(Plan::Starter.limits().research_every, ResearchCadence::Weekly);
        assert_eq!(Plan::Growth.limits().research_every, ResearchCadence::Daily);
        assert_eq!(Plan::Pro.limits().research_every, ResearchCadence::Hourly);
        assert_eq!(Plan::Enterprise.limits().research_every, ResearchCadence::Hourly);
    }

    #[test]
    fn every_plan_launches_a_browsable_catalog_pays_for_more_ai_and_less_fee_as_it_grows() {
        let limits: Vec<PlanLimits> = Plan::ALL.into_iter().map(Plan::limits).collect();
        assert!(limits.iter().all(|l| l.launch_imports >= LAUNCH_IMPORTS_MIN));
        for pair in limits.windows(2) {
            assert!(pair[1].launch_imports >= pair[0].launch_imports);
            assert!(pair[1].ai_tokens_per_day > pair[0].ai_tokens_per_day);
            assert!(pair[1].ai_micro_usd_per_day > pair[0].ai_micro_usd_per_day);
            assert!(pair[1].application_fee_bps < pair[0].application_fee_bps);
        }
    }

    #[test]
    fn a_store_never_researched_is_due() {
        assert!(ResearchCadence::Weekly.is_due(None, datetime!(2026-11-26 10:00 UTC)));
    }

    #[test]
    fn an_hourly_store_is_due_again_in_the_next_hour_only() {
        let last = Some(datetime!(2026-11-26 10:05 UTC));
        assert!(!ResearchCadence::Hourly.is_due(last, datetime!(2026-11-26 10:59 UTC)));
        assert!(ResearchCadence::Hourly.is_due(last, datetime!(2026-11-26 11:00 UTC)));
    }

    #[test]
    fn a_daily_store_researched_this_morning_waits_for_tomorrow() {
        let last = Some(datetime!(2026-11-26 08:00 UTC));
        assert!(!ResearchCadence::Daily.is_due(last, datetime!(2026-11-26 23:00 UTC)));
        assert!(ResearchCadence::Daily.is_due(last, datetime!(2026-11-27 00:30 UTC)));
    }

    #[test]
    fn two_fanouts_in_one_period_share_a_window() {
        let a = ResearchCadence::Hourly.window_start(datetime!(2026-11-26 10:01 UTC));
        let b = ResearchCadence::Hourly.window_start(datetime!(2026-11-26 10:59 UTC));
        assert_eq!(a, b);
        assert_eq!(a, datetime!(2026-11-26 10:00 UTC));
    }

    #[test]
    fn the_plan_lifting_a_product_limit_is_named() {
        assert_eq!(Plan::cheapest_allowing_products(500), Plan::Starter);
        assert_eq!(Plan::cheapest_allowing_products(5_000), Plan::Growth);
        assert_eq!(Plan::cheapest_allowing_products(50_000), Plan::Pro);
    }

    #[test]
    fn plans_round_trip_through_their_stored_names() {
        for plan in Plan::ALL {
            assert_eq!(Plan::parse(plan.as_str()), Some(plan));
        }
        assert_eq!(Plan::parse("free"), None);
    }
}
