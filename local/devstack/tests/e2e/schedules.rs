//! The schedules, proven on a compressed clock: `devstack replay` fires the research fan-out, the
//! supplier sync and the weekly SEO fan-out over the next 26 hours of a clock running 1,800 times
//! faster than the real one (an hour every 2 s), each with its simulated time as the scheduled
//! time EventBridge Scheduler would write into its input. The test only starts the scheduler and
//! reads what the merchants would see: no call to any function or internal route.
//!
//! `local/test.sh` runs this test alone, before the others: every store of the stack that was
//! never researched is due at the first tick, and another test's store would get runs it does not
//! expect.

use crate::helpers::{eventually, unique, Merchant, Stack};
use domain::plans::ResearchCadence;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const HOURS: i64 = 26;
const SPEED: &str = "1800";

/// The research windows that research-fanout ticks at `start` and every hour after, for `HOURS`
/// hours, fall in for a cadence: one run each is what the schedule owes a store.
fn windows(cadence: ResearchCadence, start: OffsetDateTime) -> usize {
    (0..=HOURS).map(|h| cadence.window_start(start + time::Duration::hours(h))).collect::<BTreeSet<_>>().len()
}

async fn runs(stack: &Stack, merchant: &Merchant, store: &str) -> Vec<Value> {
    let listed = stack.get(&format!("/v1/stores/{store}/research-runs"), &merchant.access).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    listed.json["runs"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs the running local stack: run local/test.sh"]
async fn schedules_on_a_compressed_clock_research_each_plan_at_its_cadence_run_the_weeks_seo_and_sync() {
    let stack = Stack::connect().await;
    let mut stores = Vec::new();
    for (plan, cadence) in [
        ("starter", ResearchCadence::Weekly),
        ("growth", ResearchCadence::Daily),
        ("pro", ResearchCadence::Hourly),
    ] {
        let merchant = stack.sign_up().await;
        if plan != "starter" {
            stack.set_plan(&merchant, plan).await;
        }
        // Without its launch, the store waits for the schedule.
        let created = stack.create_store(&merchant, &unique("sched"), &format!("Schedule {plan}")).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let store = created.json["id"].as_str().unwrap().to_owned();
        assert!(runs(&stack, &merchant, &store).await.is_empty());
        stores.push((plan, cadence, merchant, store));
    }

    let printed = replay(HOURS, SPEED, &["research-fanout", "supplier-sync", "seo-weekly"]).await;
    let fired: Vec<(&str, &str)> = printed
        .lines()
        .filter_map(|l| l.split('\t').collect::<Vec<_>>().get(..2).map(|f| (f[0], f[1])))
        .collect();
    let count = |name: &str| fired.iter().filter(|(n, _)| *n == name).count();
    assert_eq!(
        (count("research-fanout"), count("supplier-sync"), count("seo-weekly")),
        (27, 27, 1),
        "{printed}"
    );
    let start = OffsetDateTime::parse(fired[0].1, &Rfc3339).expect("the first tick's time");

    for (plan, cadence, merchant, store) in &stores {
        let owed = windows(*cadence, start);
        let done =
            eventually(&format!("the {plan} store's scheduled runs"), Duration::from_secs(240), || async {
                let runs = runs(&stack, merchant, store).await;
                let finished = runs.iter().all(|r| r["status"] != "queued");
                (runs.len() >= owed && finished).then_some(runs)
            })
            .await;
        let windows: BTreeSet<&str> = done.iter().filter_map(|r| r["window_start"].as_str()).collect();
        assert!(done.iter().all(|r| r["trigger"] == "schedule"), "{plan}: {done:?}");
        assert_eq!((done.len(), windows.len()), (owed, owed), "{plan}: one run per window owed");
        println!("{plan}: {owed} scheduled research runs over {HOURS} simulated hours");

        let seo = stack.get(&format!("/v1/stores/{store}/seo/runs"), &merchant.access).await;
        let (year, week, _) = start.to_iso_week_date();
        let this_week = format!("{year}-W{week:02}");
        let weeks: Vec<&str> =
            seo.json["runs"].as_array().unwrap().iter().filter_map(|r| r["week"].as_str()).collect();
        assert_eq!(weeks, [this_week.as_str()], "{plan}: one SEO run, for the week");
    }

    // The hourly sync checks at their supplier the products the scheduled research imported. The
    // imports land after the replay's last hours (27 runs queue up), so two more hours are
    // replayed for the sync alone.
    let (_, _, merchant, store) = &stores[2];
    let product = eventually("an imported product of the pro store", Duration::from_secs(120), || async {
        stack.products(merchant, store).await.into_iter().find(|p| p["source"] == "aliexpress")
    })
    .await;
    // Later hours than the first replay's: a sync is named by its hour, and an hour already
    // synced is not synced again.
    let later = (start + time::Duration::hours(HOURS + 1)).format(&Rfc3339).unwrap();
    replay(2, "3600", &["--from", &later, "supplier-sync"]).await;
    let id = product["id"].as_str().unwrap();
    let changes = eventually("the sync to check the product", Duration::from_secs(60), || async {
        let changes = stack.get(&format!("/v1/stores/{store}/products/{id}/changes"), &merchant.access).await;
        changes.json["supplier_checked_at"].is_string().then_some(changes.json)
    })
    .await;
    assert_eq!(changes["supplier_available"], true, "{changes}");
}

/// Runs `devstack replay` over `hours` simulated hours at `speed` for `schedules`; its output.
async fn replay(hours: i64, speed: &str, schedules: &[&str]) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let hours = hours.to_string();
    // `--from <time>` leads the schedules when given.
    let (from, schedules) = match schedules {
        ["--from", from, rest @ ..] => (vec!["--from", *from], rest),
        rest => (vec![], rest),
    };
    let replay = tokio::process::Command::new(env!("CARGO_BIN_EXE_devstack"))
        .arg("replay")
        .args(from)
        .args([hours.as_str(), speed])
        .args(schedules)
        .current_dir(root)
        .env("DROPSHIP_WIRING", format!("{root}/infra/wiring.json"))
        .output()
        .await
        .expect("devstack runs");
    let printed = String::from_utf8_lossy(&replay.stdout).into_owned();
    assert!(replay.status.success(), "{printed}{}", String::from_utf8_lossy(&replay.stderr));
    printed
}
