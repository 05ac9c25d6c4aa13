//! Merchant payouts through Stripe Connect: where a store's payout account stands, whether the
//! store may take orders, and the platform's fee on each shopper payment.
//!
//! Each store gets a Stripe Express account, which the merchant completes on Stripe's hosted
//! onboarding. Shopper payments are destination charges: the money lands in the store's account,
//! less the application fee the platform keeps.

use serde::{Deserialize, Serialize};

/// Where a store's payout account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutsStatus {
    /// No account yet: the merchant has not started onboarding.
    NotStarted,
    /// The account exists; the merchant has not submitted its details.
    Onboarding,
    /// Details submitted; Stripe has not enabled charges and payouts yet.
    Pending,
    /// Charges and payouts are enabled: the store takes orders.
    Enabled,
    /// Stripe disabled the account (information past due, rejected, under review).
    Restricted,
}

/// What Stripe says of a connected account (the fields of its `Account` object that matter here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountState<'a> {
    /// `details_submitted`.
    pub details_submitted: bool,
    /// `charges_enabled`.
    pub charges_enabled: bool,
    /// `payouts_enabled`.
    pub payouts_enabled: bool,
    /// `requirements.disabled_reason`, when Stripe gives one.
    pub disabled_reason: Option<&'a str>,
}

impl PayoutsStatus {
    /// Every status.
    pub const ALL: [PayoutsStatus; 5] = [
        PayoutsStatus::NotStarted,
        PayoutsStatus::Onboarding,
        PayoutsStatus::Pending,
        PayoutsStatus::Enabled,
        PayoutsStatus::Restricted,
    ];

    /// The status of an existing account.
    pub fn of(account: &AccountState<'_>) -> Self {
        if account.charges_enabled && account.payouts_enabled {
            PayoutsStatus::Enabled
        } else if !account.details_submitted {
            PayoutsStatus::Onboarding
        } else if account
            .disabled_reason
            .is_some_and(|r| !r.is_empty() && r != "requirements.pending_verification")
        {
            PayoutsStatus::Restricted
        } else {
            PayoutsStatus::Pending
        }
    }

    /// Whether the store may take orders: only when the money can reach the merchant.
    pub fn accepts_orders(self) -> bool {
        self == PayoutsStatus::Enabled
    }

    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutsStatus::NotStarted => "not_started",
            PayoutsStatus::Onboarding => "onboarding",
            PayoutsStatus::Pending => "pending",
            PayoutsStatus::Enabled => "enabled",
            PayoutsStatus::Restricted => "restricted",
        }
    }

    /// Parses the stored text form.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// The platform's fee on a payment whose goods come to `goods_minor`, at `bps` basis points,
/// rounded down to the currency's minor unit. Shipping and tax are not charged a fee: they are
/// passed on to the carrier and the tax authority.
pub fn application_fee(goods_minor: i64, bps: u16) -> i64 {
    if goods_minor <= 0 {
        return 0;
    }
    let fee = i128::from(goods_minor) * i128::from(bps) / 10_000;
    i64::try_from(fee).unwrap_or(goods_minor).min(goods_minor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;

    fn account(details: bool, charges: bool, payouts: bool, reason: Option<&str>) -> AccountState<'_> {
        AccountState {
            details_submitted: details,
            charges_enabled: charges,
            payouts_enabled: payouts,
            disabled_reason: reason,
        }
    }

    #[test]
    fn only_an_account_that_can_charge_and_pay_out_takes_orders() {
        let enabled = PayoutsStatus::of(&account(true, true, true, None));
        assert_eq!(enabled, PayoutsStatus::Enabled);
        assert!(enabled.accepts_orders());
        for (state, expected) in [
            (account(false, false, false, Some("requirements.past_due")), PayoutsStatus::Onboarding),
            (account(true, false, false, Some("requirements.pending_verification")), PayoutsStatus::Pending),
            (account(true, true, false, None), PayoutsStatus::Pending),
            (account(true, false, false, Some("rejected.fraud")), PayoutsStatus::Restricted),
            (account(true, true, false, Some("requirements.past_due")), PayoutsStatus::Restricted),
        ] {
            let status = PayoutsStatus::of(&state);
            assert_eq!(status, expected, "{state:?}");
            assert!(!status.accepts_orders());
        }
        assert!(!PayoutsStatus::NotStarted.accepts_orders());
    }

    #[test]
    fn statuses_round_trip_through_their_stored_form() {
        for status in PayoutsStatus::ALL {
            assert_eq!(PayoutsStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(PayoutsStatus::parse("active"), None);
    }

    #[test]
    fn the_fee_is_the_plans_share_of_the_goods_rounded_down() {
        assert_eq!(application_fee(10_000, Plan::Starter.limits().application_fee_bps), 200);
        assert_eq!(application_fee(10_000, Plan::Growth.limits().application_fee_bps), 100);
        assert_eq!(application_fee(1_999, 200), 39);
        assert_eq!(application_fee(49, 200), 0);
        assert_eq!(application_fee(0, 200), 0);
        assert_eq!(application_fee(-5, 200), 0);
        assert_eq!(application_fee(i64::MAX, 10_000), i64::MAX);
        assert_eq!(application_fee(500, u16::MAX), 500, "never more than the goods");
    }
}
