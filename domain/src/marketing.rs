//! Email marketing rules: how many contacts a plan holds, and what a merchant may change in a
//! store's automated flows (on or off, each step's delay, subject and intro text).

use crate::Plan;
use serde::{Deserialize, Serialize};

/// Adding contacts would go past the plan's limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {plan} plan holds {limit} email contacts and the account has {existing}; {}",
    match lifts { Some(p) => format!("the {} plan holds more", p.as_str()), None => "no plan holds more".into() }
)]
pub struct ContactLimit {
    /// The tenant's plan.
    pub plan: &'static str,
    /// What it holds.
    pub limit: u32,
    /// Subscribed contacts across the tenant's stores now.
    pub existing: u64,
    /// The cheapest plan that would hold them all.
    pub lifts: Option<Plan>,
}

/// Whether a tenant on `plan` with `existing` subscribed contacts may add `adding` more.
pub fn check_contacts(plan: Plan, existing: u64, adding: u64) -> Result<(), ContactLimit> {
    let Some(limit) = plan.limits().email_contacts else { return Ok(()) };
    let wanted = existing.saturating_add(adding);
    if wanted <= u64::from(limit) {
        return Ok(());
    }
    let lifts =
        Plan::ALL.into_iter().find(|p| p.limits().email_contacts.is_none_or(|max| u64::from(max) >= wanted));
    Err(ContactLimit { plan: plan.as_str(), limit, existing, lifts })
}

/// The flows a merchant switches and edits.
pub const FLOWS: [&str; 3] = ["welcome", "abandoned_cart", "post_purchase"];
/// The steps of each flow in [`FLOWS`] order, as the email pipeline runs them.
pub const FLOW_STEPS: [u8; 3] = [3, 3, 4];
/// Longest delay a merchant may give a step: 60 days.
pub const MAX_DELAY_HOURS: u32 = 60 * 24;
/// Longest subject override.
pub const SUBJECT_MAX_CHARS: usize = 150;
/// Longest intro override.
pub const INTRO_MAX_CHARS: usize = 1_000;

/// A merchant's change to one step of a flow; absent fields keep the platform's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSettings {
    /// The step's number in its flow, from 1.
    pub step: u8,
    /// Hours after the flow's trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_hours: Option<u32>,
    /// The mail's subject line instead of the template's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A paragraph of the merchant's own text at the top of the mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
}

/// Why a flow's settings are refused; names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowSettingsError {
    /// Not one of [`FLOWS`].
    #[error("flow must be one of welcome, abandoned_cart, post_purchase")]
    Flow,
    /// A step the flow does not have.
    #[error("the {flow} flow has steps 1 to {max}")]
    Step {
        /// The flow.
        flow: &'static str,
        /// Its last step.
        max: u8,
    },
    /// The same step twice.
    #[error("step {0} is listed twice")]
    Duplicate(u8),
    /// A delay out of range.
    #[error("delay_hours must be 0 to {MAX_DELAY_HOURS}")]
    Delay,
    /// A delay on a step whose time is not a delay.
    #[error(
        "the shipping update (post_purchase step 2) is sent when the order ships and takes no delay_hours"
    )]
    Untimed,
    /// Later steps must not come before earlier ones.
    #[error("step delays must not decrease from one step to the next")]
    Order,
    /// A text out of bounds or with control characters.
    #[error("{field} must be 1 to {max} characters of text")]
    Text {
        /// `subject` or `intro`.
        field: &'static str,
        /// Its bound.
        max: usize,
    },
}

impl FlowSettingsError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            FlowSettingsError::Flow => "flow",
            FlowSettingsError::Step { .. } | FlowSettingsError::Duplicate(_) => "steps",
            FlowSettingsError::Delay | FlowSettingsError::Untimed | FlowSettingsError::Order => "delay_hours",
            FlowSettingsError::Text { field, .. } => field,
        }
    }

    /// Whether the rule broken spans the steps or depends on the flow (how many steps it has,
    /// which of them wait), rather than bounding one field on its own.
    pub fn spans_steps(&self) -> bool {
        matches!(
            self,
            FlowSettingsError::Step { .. }
                | FlowSettingsError::Duplicate(_)
                | FlowSettingsError::Untimed
                | FlowSettingsError::Order
        )
    }
}

/// The flow named `name`, as its `'static` name, with its step count.
pub fn flow(name: &str) -> Result<(&'static str, u8), FlowSettingsError> {
    FLOWS
        .iter()
        .zip(FLOW_STEPS)
        .find(|(f, _)| **f == name)
        .map(|(f, n)| (*f, n))
        .ok_or(FlowSettingsError::Flow)
}

/// The default delay in hours of each step of `flow` (`None`: not a delay, the shipping update).
pub fn default_delays(flow: &str) -> &'static [Option<u32>] {
    match flow {
        "welcome" => &[Some(0), Some(48), Some(120)],
        "abandoned_cart" => &[Some(1), Some(24), Some(72)],
        _ => &[Some(0), None, Some(14 * 24), Some(30 * 24)],
    }
}

/// Checks a merchant's step settings for `flow`; answers them trimmed and sorted by step.
pub fn check_steps(flow_name: &str, steps: &[StepSettings]) -> Result<Vec<StepSettings>, FlowSettingsError> {
    let (flow_name, count) = flow(flow_name)?;
    let mut out: Vec<StepSettings> = Vec::with_capacity(steps.len());
    for step in steps {
        if step.step == 0 || step.step > count {
            return Err(FlowSettingsError::Step { flow: flow_name, max: count });
        }
        if out.iter().any(|s| s.step == step.step) {
            return Err(FlowSettingsError::Duplicate(step.step));
        }
        let is_delay = default_delays(flow_name)[usize::from(step.step - 1)].is_some();
        if step.delay_hours.is_some_and(|h| h > MAX_DELAY_HOURS) {
            return Err(FlowSettingsError::Delay);
        }
        if step.delay_hours.is_some() && !is_delay {
            return Err(FlowSettingsError::Untimed);
        }
        let text = |value: &Option<String>, field: &'static str, max: usize| {
            value
                .as_deref()
                .map(|v| {
                    let v = v.trim();
                    let bad = v.is_empty()
                        || v.chars().count() > max
                        || v.chars().any(|c| c.is_control() && !(field == "intro" && c == '\n'));
                    if bad {
                        Err(FlowSettingsError::Text { field, max })
                    } else {
                        Ok(v.to_owned())
                    }
                })
                .transpose()
        };
        out.push(StepSettings {
            step: step.step,
            delay_hours: step.delay_hours,
            subject: text(&step.subject, "subject", SUBJECT_MAX_CHARS)?,
            intro: text(&step.intro, "intro", INTRO_MAX_CHARS)?,
        });
    }
    out.sort_by_key(|s| s.step);
    let delays = effective_delays(flow_name, &out);
    let timed: Vec<u32> = delays.iter().flatten().copied().collect();
    if timed.windows(2).any(|w| w[1] < w[0]) {
        return Err(FlowSettingsError::Order);
    }
    Ok(out)
}

/// Each step's delay in hours after the merchant's changes (`None` for the shipping update).
pub fn effective_delays(flow: &str, steps: &[StepSettings]) -> Vec<Option<u32>> {
    default_delays(flow)
        .iter()
        .enumerate()
        .map(|(i, default)| {
            let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
            match (default, steps.iter().find(|s| s.step == number).and_then(|s| s.delay_hours)) {
                (Some(_), Some(changed)) => Some(changed),
                (default, _) => *default,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_starter_account_holds_a_thousand_contacts_and_growth_lifts_it() {
        assert!(check_contacts(Plan::Starter, 999, 1).is_ok());
        let err = check_contacts(Plan::Starter, 1_000, 1).unwrap_err();
        assert_eq!(err.lifts, Some(Plan::Growth));
        assert_eq!(
            err.to_string(),
            "the starter plan holds 1000 email contacts and the account has 1000; the growth plan holds more"
        );
        assert_eq!(check_contacts(Plan::Growth, 9_999, 60_000).unwrap_err().lifts, Some(Plan::Enterprise));
        assert!(check_contacts(Plan::Enterprise, 10_000_000, 1).is_ok());
    }

    #[test]
    fn a_merchant_may_slow_a_flow_down_but_not_reorder_it() {
        let later = StepSettings { step: 2, delay_hours: Some(96), ..Default::default() };
        assert_eq!(check_steps("welcome", std::slice::from_ref(&later)).unwrap(), vec![later]);
        let before_first = StepSettings { step: 2, delay_hours: Some(200), ..Default::default() };
        assert_eq!(check_steps("welcome", &[before_first]), Err(FlowSettingsError::Order));
        assert_eq!(
            effective_delays(
                "welcome",
                &[StepSettings { step: 3, delay_hours: Some(150), ..Default::default() }]
            ),
            vec![Some(0), Some(48), Some(150)]
        );
    }

    #[test]
    fn bad_flow_settings_name_their_field() {
        let shipping = StepSettings { step: 2, delay_hours: Some(5), ..Default::default() };
        assert_eq!(check_steps("post_purchase", &[shipping]).unwrap_err().field(), "delay_hours");
        let fourth = StepSettings { step: 4, ..Default::default() };
        assert_eq!(
            check_steps("welcome", &[fourth]),
            Err(FlowSettingsError::Step { flow: "welcome", max: 3 })
        );
        let empty = StepSettings { step: 1, subject: Some("  ".into()), ..Default::default() };
        assert_eq!(check_steps("welcome", &[empty]).unwrap_err().field(), "subject");
        assert_eq!(check_steps("newsletter", &[]), Err(FlowSettingsError::Flow));
        let twice = StepSettings { step: 1, ..Default::default() };
        assert_eq!(check_steps("welcome", &[twice.clone(), twice]), Err(FlowSettingsError::Duplicate(1)));
    }

    #[test]
    fn a_delay_out_of_range_bounds_one_field_and_a_delay_on_the_shipping_update_spans_the_flow() {
        let too_long = StepSettings { step: 1, delay_hours: Some(MAX_DELAY_HOURS + 1), ..Default::default() };
        let err = check_steps("welcome", &[too_long]).unwrap_err();
        assert_eq!((err.clone(), err.spans_steps()), (FlowSettingsError::Delay, false));
        let shipping = StepSettings { step: 2, delay_hours: Some(0), ..Default::default() };
        let err = check_steps("post_purchase", &[shipping]).unwrap_err();
        assert_eq!((err.clone(), err.spans_steps()), (FlowSettingsError::Untimed, true));
        let first_after_second = StepSettings { step: 1, delay_hours: Some(1_439), ..Default::default() };
        assert!(check_steps("welcome", &[first_after_second]).unwrap_err().spans_steps());
    }
}
