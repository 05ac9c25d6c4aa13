//! Supplier snapshots in DynamoDB (moto, reached by the real SDK client), as the research
//! function keeps them for sales velocity.

use domain::scoring::velocity::Snapshot;
use research::velocity::{DynamoSnapshots, SnapshotStore};

#[tokio::test]
async fn snapshots_are_kept_one_per_day_and_read_back_for_thirty_days() {
    let moto = test_servers::moto();
    let store = DynamoSnapshots::new(moto.dynamodb("pipelines").await, "pipelines");
    let today = 20_000;
    for (day, orders) in [(today - 40, 50), (today - 29, 100), (today - 3, 300), (today, 400)] {
        store.record_and_read("aliexpress#1", day, orders).await.unwrap();
    }
    store.record_and_read("aliexpress#2", today, 9_999).await.unwrap();
    let mut again = store.record_and_read("aliexpress#1", today, 450).await.unwrap();
    again.sort_by_key(|s| s.day);
    assert_eq!(
        again,
        vec![
            Snapshot { day: today - 29, orders_30d: 100 },
            Snapshot { day: today - 3, orders_30d: 300 },
            Snapshot { day: today, orders_30d: 450 },
        ],
        "the 40-day-old snapshot is outside the window, today's is overwritten, other products apart"
    );
}
