//! Research runs in the store database (the table `research_runs`), and what a run reads of the
//! store's products. The platform's side of scheduling them is [`super::research_schedule`].

use queues::internal_api::{ExistingProduct, Opportunity, SourceCoverage};
use serde::{Deserialize, Serialize};
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError, Statement};

/// A research run with its report: the row is exactly what the internal API's contract answers
/// and what the merchant API shows, so it is that type.
pub use queues::internal_api::ResearchRunView as RunRow;

/// A run as the merchant API shows it: the row, with the report's coverage and top opportunities
/// (stored as JSON text) read back into arrays.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunDetail {
    /// The run.
    pub id: String,
    /// `manual` or `schedule`.
    pub trigger: String,
    /// The schedule window a scheduled run belongs to.
    pub window_start: Option<String>,
    /// `queued`, `completed` or `failed`.
    pub status: String,
    /// Candidates seen.
    pub candidates: Option<i64>,
    /// Candidates sent to import.
    pub selected: Option<i64>,
    /// Each source's coverage, once reported.
    pub sources: Option<Vec<SourceCoverage>>,
    /// Products imported.
    pub imported: Option<i64>,
    /// Products put on the watchlist.
    pub watchlisted: Option<i64>,
    /// Candidates left out because the store has them.
    pub excluded: Option<i64>,
    /// The run's top opportunities, once reported.
    pub top: Option<Vec<Opportunity>>,
    /// When the run was recorded, RFC 3339.
    pub created_at: String,
    /// When it was reported, RFC 3339.
    pub completed_at: Option<String>,
}

impl TryFrom<RunRow> for RunDetail {
    type Error = serde_json::Error;

    /// Fails only if a stored report is not the JSON the edge wrote.
    fn try_from(row: RunRow) -> Result<Self, Self::Error> {
        Ok(Self {
            sources: row.sources.as_deref().map(serde_json::from_str).transpose()?,
            top: row.top.as_deref().map(serde_json::from_str).transpose()?,
            id: row.id,
            trigger: row.trigger,
            window_start: row.window_start,
            status: row.status,
            candidates: row.candidates,
            selected: row.selected,
            imported: row.imported,
            watchlisted: row.watchlisted,
            excluded: row.excluded,
            created_at: row.created_at,
            completed_at: row.completed_at,
        })
    }
}

/// A run's id and status.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunStatus {
    /// Run id.
    pub id: String,
    /// `queued`, `completed` or `failed`.
    pub status: String,
}

/// What a run reports, checked by the caller.
#[derive(Debug, Clone)]
pub struct RunReport<'a> {
    /// Run id.
    pub id: &'a str,
    /// Candidates the run looked at.
    pub candidates: u32,
    /// Candidates it selected (and imported).
    pub selected: u32,
    /// Per-source coverage (JSON).
    pub sources: &'a str,
    /// Items it put on the watchlist.
    pub watchlisted: usize,
    /// Candidates it excluded.
    pub excluded: u32,
    /// Its top opportunities (JSON).
    pub top: &'a str,
    /// Completion time (RFC 3339).
    pub at: &'a str,
}

/// Records a run the merchant started, queued.
pub async fn insert_manual(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO research_runs (store_id, id, trigger, status, created_at) VALUES (?1, ?2, 'manual', 'queued', ?3)",
        vec![id.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// Records the scheduled run of the window starting at `window`, unless the store has one.
pub async fn insert_scheduled(
    db: &StoreDb<impl Sql>,
    id: &str,
    window: &str,
    at: &str,
) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO research_runs (store_id, id, trigger, window_start, status, created_at) \
         VALUES (?1, ?2, 'schedule', ?3, 'queued', ?4) ON CONFLICT (store_id, window_start) DO NOTHING",
        vec![id.into(), window.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// The store's scheduled run of the window starting at `window`.
pub async fn in_window(db: &StoreDb<impl Sql>, window: &str) -> Result<Option<RunStatus>, SqlError> {
    db.query_first(
        "SELECT id, status FROM research_runs WHERE store_id = ?1 AND window_start = ?2",
        vec![window.into()],
    )
    .await
}

/// Marks run `id` failed at `at`.
pub async fn mark_failed(db: &StoreDb<impl Sql>, id: &str, at: &str) -> Result<(), SqlError> {
    db.execute(
        "UPDATE research_runs SET status = 'failed', completed_at = ?3 WHERE store_id = ?1 AND id = ?2",
        vec![id.into(), at.into()],
    )
    .await?;
    Ok(())
}

/// A run's columns. `imported` counts, when the run has reported, the products it brought that
/// exist in the store now: what arrived, not what was queued (an import still on its way, or one
/// that failed, is not counted; a product the merchant deleted no longer is).
const COLUMNS: &str = "id, trigger, window_start, status, candidates, selected, sources, \
     CASE WHEN status = 'queued' THEN NULL ELSE (SELECT COUNT(*) FROM products p \
     WHERE p.store_id = r.store_id AND p.research_run_id = r.id) END AS imported, \
     watchlisted, excluded, top, created_at, completed_at";

/// The store's newest runs, at most `limit`.
pub async fn newest(db: &StoreDb<impl Sql>, limit: u32) -> Result<Vec<RunRow>, SqlError> {
    db.query_all(
        &format!(
            "SELECT {COLUMNS} FROM research_runs r WHERE store_id = ?1 ORDER BY created_at DESC, id LIMIT ?2"
        ),
        vec![limit.into()],
    )
    .await
}

/// The store's run `id`.
pub async fn run(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<RunRow>, SqlError> {
    db.query_first(
        &format!("SELECT {COLUMNS} FROM research_runs r WHERE store_id = ?1 AND id = ?2"),
        vec![id.into()],
    )
    .await
}

/// The status of the store's run `id`.
pub async fn status(db: &StoreDb<impl Sql>, id: &str) -> Result<Option<String>, SqlError> {
    let row: Option<RunStatus> = db
        .query_first("SELECT id, status FROM research_runs WHERE store_id = ?1 AND id = ?2", vec![id.into()])
        .await?;
    Ok(row.map(|r| r.status))
}

/// The store's products, oldest first, at most `limit`, but those run `run_id` imported (a
/// repeated run does not count its own imports as already there).
pub async fn existing_products(
    db: &StoreDb<impl Sql>,
    run_id: &str,
    limit: u32,
) -> Result<Vec<ExistingProduct>, SqlError> {
    db.query_all(
        "SELECT source, source_product_id, title FROM products WHERE store_id = ?1 \
         AND (research_run_id IS NULL OR research_run_id != ?3) ORDER BY created_at LIMIT ?2",
        vec![limit.into(), run_id.into()],
    )
    .await
}

/// The statement completing a run with its report (reporting again replaces it).
pub fn complete(db: &StoreDb<impl Sql>, report: &RunReport<'_>) -> Result<Statement, SqlError> {
    db.scoped(
        "UPDATE research_runs SET status = 'completed', candidates = ?3, selected = ?4, sources = ?5, \
         completed_at = ?6, watchlisted = ?7, excluded = ?8, top = ?9 \
         WHERE store_id = ?1 AND id = ?2",
        vec![
            report.id.into(),
            report.candidates.into(),
            report.selected.into(),
            report.sources.into(),
            report.at.into(),
            report.watchlisted.into(),
            report.excluded.into(),
            report.top.into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    #[test]
    fn a_manual_run_is_queued_until_its_report_completes_it() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            insert_manual(&db, "r1", "2026-01-01T00:00:00Z").await.unwrap();
            let queued = run(&db, "r1").await.unwrap().unwrap();
            assert_eq!((queued.trigger.as_str(), queued.status.as_str()), ("manual", "queued"));
            assert_eq!((queued.window_start, queued.candidates, queued.top), (None, None, None));
            let shown = RunDetail::try_from(run(&db, "r1").await.unwrap().unwrap()).unwrap();
            assert_eq!((shown.sources, shown.top), (None, None));
            let report = RunReport {
                id: "r1",
                candidates: 40,
                selected: 3,
                sources: r#"[{"source":"aliexpress","candidates":33,"error":null},{"source":"reddit","candidates":0,"error":"503"}]"#,
                watchlisted: 5,
                excluded: 2,
                top: r#"[{"source":"aliexpress","source_product_id":"1","title":"Brush","research_score":71.5,"ai_score":80,"decision":"import"}]"#,
                at: "2026-01-01T01:00:00Z",
            };
            db.execute_batch(vec![complete(&db, &report).unwrap()]).await.unwrap();
            let done = run(&db, "r1").await.unwrap().unwrap();
            assert_eq!(done.status, "completed");
            assert_eq!(
                (done.candidates, done.selected, done.imported, done.watchlisted, done.excluded),
                (Some(40), Some(3), Some(0), Some(5), Some(2)),
                "three queued, none arrived yet"
            );
            assert_eq!(done.completed_at.as_deref(), Some("2026-01-01T01:00:00Z"));
            let shown = serde_json::to_value(RunDetail::try_from(done).unwrap()).unwrap();
            assert_eq!(shown["sources"][0]["candidates"], 33, "objects, not JSON text: {shown}");
            assert_eq!(shown["sources"][1]["error"], "503");
            assert_eq!(shown["top"][0]["title"], "Brush");
            assert_eq!(shown["top"][0]["ai_score"], 80);
            assert_eq!(status(&db, "r1").await.unwrap().as_deref(), Some("completed"));
        });
    }

    #[test]
    fn imported_counts_the_runs_products_that_exist_in_the_store_not_those_queued() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let product = |store: &StoreDb<&tenancy::sqlite::Sqlite>, id: &str, run: &str| {
            shard
                .execute_script(&format!(
                    "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, \
                     meta_description, keywords, price_minor, cost_minor, currency, images, status, source, \
                     source_product_id, research_run_id, created_at, updated_at) VALUES ('{}', '{id}', '{id}', \
                     'Title {id}', '[]', '[]', '', '', '[]', 100, 50, 'USD', '[]', 'draft', 'aliexpress', \
                     'src-{id}', '{run}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                    store.store()
                ))
                .unwrap();
        };
        block_on(async {
            insert_manual(&one, "r1", "2026-01-01T00:00:00Z").await.unwrap();
            product(&one, "p1", "r1");
            assert_eq!(run(&one, "r1").await.unwrap().unwrap().imported, None, "not reported yet");
            let report = RunReport {
                id: "r1",
                candidates: 9,
                selected: 4,
                sources: "[]",
                watchlisted: 0,
                excluded: 0,
                top: "[]",
                at: "2026-01-01T01:00:00Z",
            };
            one.execute_batch(vec![complete(&one, &report).unwrap()]).await.unwrap();
            product(&one, "p2", "r1");
            product(&one, "p3", "r0");
            product(&two, "p4", "r1");
            let done = run(&one, "r1").await.unwrap().unwrap();
            assert_eq!((done.selected, done.imported), (Some(4), Some(2)), "4 queued, 2 arrived");
            assert_eq!(newest(&one, 5).await.unwrap()[0].imported, Some(2));
        });
    }

    #[test]
    fn a_run_that_could_not_be_enqueued_is_failed() {
        let shard = shard();
        let db = store(&shard, 1);
        block_on(async {
            insert_manual(&db, "r1", "2026-01-01T00:00:00Z").await.unwrap();
            mark_failed(&db, "r1", "2026-01-01T00:00:01Z").await.unwrap();
            let failed = run(&db, "r1").await.unwrap().unwrap();
            assert_eq!(
                (failed.status.as_str(), failed.completed_at.as_deref()),
                ("failed", Some("2026-01-01T00:00:01Z"))
            );
        });
    }

    #[test]
    fn a_window_holds_one_scheduled_run_per_store_however_often_it_is_claimed() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let window = "2026-01-05T00:00:00Z";
        block_on(async {
            insert_scheduled(&one, "r1", window, "2026-01-05T01:00:00Z").await.unwrap();
            insert_scheduled(&one, "r2", window, "2026-01-05T02:00:00Z").await.unwrap();
            assert_eq!(
                in_window(&one, window).await.unwrap(),
                Some(RunStatus { id: "r1".into(), status: "queued".into() })
            );
            assert_eq!(run(&one, "r2").await.unwrap(), None);
            assert_eq!(in_window(&two, window).await.unwrap(), None);
            insert_scheduled(&two, "r3", window, "2026-01-05T02:00:00Z").await.unwrap();
            assert_eq!(in_window(&two, window).await.unwrap().unwrap().id, "r3");
        });
    }

    #[test]
    fn another_store_neither_reads_nor_completes_a_run() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        block_on(async {
            insert_manual(&one, "r1", "2026-01-01T00:00:00Z").await.unwrap();
            assert_eq!(run(&two, "r1").await.unwrap(), None);
            assert_eq!(status(&two, "r1").await.unwrap(), None);
            let report = RunReport {
                id: "r1",
                candidates: 1,
                selected: 1,
                sources: "[]",
                watchlisted: 0,
                excluded: 0,
                top: "[]",
                at: "2026-01-01T01:00:00Z",
            };
            assert_eq!(
                two.execute_batch(vec![complete(&two, &report).unwrap()]).await.unwrap()[0].changes,
                0
            );
            mark_failed(&two, "r1", "2026-01-01T01:00:00Z").await.unwrap();
            assert_eq!(status(&one, "r1").await.unwrap().as_deref(), Some("queued"));
        });
    }

    #[test]
    fn the_existing_products_leave_out_the_runs_own_imports_and_stop_at_the_limit() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        let product = |store: &StoreDb<&tenancy::sqlite::Sqlite>, id: &str, run: &str, at: &str| {
            let run = if run.is_empty() { "NULL".to_owned() } else { format!("'{run}'") };
            shard
                .execute_script(&format!(
                    "INSERT INTO products (store_id, id, slug, title, description, features, meta_title, \
                     meta_description, keywords, price_minor, cost_minor, currency, images, status, source, \
                     source_product_id, research_run_id, created_at, updated_at) VALUES ('{}', '{id}', '{id}', \
                     'Title {id}', '[]', '[]', '', '', '[]', 100, 50, 'USD', '[]', 'published', 'aliexpress', \
                     'src-{id}', {run}, '{at}', '{at}')",
                    store.store()
                ))
                .unwrap();
        };
        product(&one, "b", "", "2026-01-02T00:00:00Z");
        product(&one, "a", "old-run", "2026-01-01T00:00:00Z");
        product(&one, "c", "this-run", "2026-01-03T00:00:00Z");
        product(&two, "d", "", "2026-01-01T00:00:00Z");
        block_on(async {
            let titles: Vec<String> =
                existing_products(&one, "this-run", 10).await.unwrap().into_iter().map(|p| p.title).collect();
            assert_eq!(titles, ["Title a", "Title b"]);
            let first = existing_products(&one, "this-run", 1).await.unwrap();
            assert_eq!(
                first,
                [ExistingProduct {
                    source: Some("aliexpress".into()),
                    source_product_id: Some("src-a".into()),
                    title: "Title a".into()
                }]
            );
        });
    }
}
