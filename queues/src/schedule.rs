//! The time a scheduled invocation is for. A schedule's input in `infra/wiring.json` holds
//! `<aws.scheduler.scheduled-time>`, which EventBridge Scheduler (and the local scheduler, on a
//! compressed clock in the schedules' end-to-end test) replaces with that time in RFC 3339.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The time `at` names, or `now` when there is none; an `at` that is not RFC 3339 (such as the
/// placeholder left unreplaced) is an error naming it.
pub fn scheduled_time(at: Option<&str>, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    match at {
        Some(at) => OffsetDateTime::parse(at, &Rfc3339)
            .map_err(|e| format!("the scheduled time `{at}` is not RFC 3339: {e}")),
        None => Ok(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_scheduled_time_is_read_or_the_clock_taken_when_there_is_none() {
        let now = datetime!(2026-12-07 13:05 UTC);
        assert_eq!(scheduled_time(Some("2026-12-07T13:00:00Z"), now), Ok(datetime!(2026-12-07 13:00 UTC)));
        assert_eq!(scheduled_time(None, now), Ok(now));
        let unfilled = scheduled_time(Some("<aws.scheduler.scheduled-time>"), now).unwrap_err();
        assert!(unfilled.contains("not RFC 3339"), "{unfilled}");
    }
}
