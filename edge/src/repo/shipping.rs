//! A store's shipping settings (`shipping_settings`, one row per store; a store without one ships
//! with [`ShippingSettings::default_for`] its target market).

use domain::shipping::ShippingSettings;
use serde::Deserialize;
use tenancy::shards::StoreDb;
use tenancy::sql::{Sql, SqlError};

#[derive(Deserialize)]
struct Row {
    countries: String,
    standard_minor: i64,
    express_minor: Option<i64>,
    free_over_minor: Option<i64>,
    automatic_tax: i64,
}

/// The store's settings, or `None` when its merchant never set them.
pub async fn get(db: &StoreDb<impl Sql>) -> Result<Option<ShippingSettings>, SqlError> {
    let row: Option<Row> = db
        .query_first(
            "SELECT countries, standard_minor, express_minor, free_over_minor, automatic_tax FROM shipping_settings \
             WHERE store_id = ?1",
            vec![],
        )
        .await?;
    Ok(row.map(|r| ShippingSettings {
        countries: serde_json::from_str(&r.countries).unwrap_or_default(),
        standard_minor: r.standard_minor,
        express_minor: r.express_minor,
        free_over_minor: r.free_over_minor,
        automatic_tax: r.automatic_tax != 0,
    }))
}

/// Replaces the store's settings (already validated).
pub async fn put(db: &StoreDb<impl Sql>, settings: &ShippingSettings, at: &str) -> Result<(), SqlError> {
    db.execute(
        "INSERT INTO shipping_settings (store_id, countries, standard_minor, express_minor, free_over_minor, automatic_tax, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (store_id) DO UPDATE SET countries = excluded.countries, \
         standard_minor = excluded.standard_minor, express_minor = excluded.express_minor, \
         free_over_minor = excluded.free_over_minor, automatic_tax = excluded.automatic_tax, updated_at = excluded.updated_at",
        vec![
            super::json_list(&settings.countries).into(),
            settings.standard_minor.into(),
            settings.express_minor.into(),
            settings.free_over_minor.into(),
            i64::from(settings.automatic_tax).into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::testing::{block_on, shard, store};

    #[test]
    fn settings_are_kept_per_store_and_replaced_whole() {
        let shard = shard();
        let (one, two) = (store(&shard, 1), store(&shard, 2));
        assert_eq!(block_on(get(&one)).unwrap(), None);
        let mut settings = ShippingSettings {
            countries: vec!["US".into(), "CA".into()],
            standard_minor: 499,
            express_minor: Some(1499),
            free_over_minor: Some(5000),
            automatic_tax: true,
        };
        block_on(put(&one, &settings, "2026-12-01T10:00:00Z")).unwrap();
        assert_eq!(block_on(get(&one)).unwrap().as_ref(), Some(&settings));
        assert_eq!(block_on(get(&two)).unwrap(), None, "another store's settings are its own");
        settings.express_minor = None;
        settings.automatic_tax = false;
        block_on(put(&one, &settings, "2026-12-01T11:00:00Z")).unwrap();
        assert_eq!(block_on(get(&one)).unwrap(), Some(settings));
    }
}
