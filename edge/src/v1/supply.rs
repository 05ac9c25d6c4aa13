//! A product's supplier changes (price, stock, availability), as the merchant reads them.

use crate::error::{ApiError, ApiResult};
use crate::internal::supply::ChangeView;
use crate::scope::StoreScope;
use domain::ProductId;
use serde::Deserialize;

/// `GET /v1/stores/{id}/products/{product}/changes`: what the supplier sync changed, newest first
/// (at most 200), and when the supplier was last checked.
pub async fn history(scope: &StoreScope, product: ProductId) -> ApiResult<serde_json::Value> {
    let _store = &scope.store;
    #[derive(Deserialize)]
    struct Checked {
        supplier_checked_at: Option<String>,
        supplier_available: Option<i64>,
    }
    let db = &scope.db;
    let Some(checked): Option<Checked> = db
        .first(
            "SELECT supplier_checked_at, supplier_available FROM products WHERE store_id = ?1 AND id = ?2",
            &[product.to_string().into()],
        )
        .await?
    else {
        return Err(ApiError::not_found("product"));
    };
    let changes: Vec<ChangeView> = db
        .all(
            "SELECT field, old_value, new_value, reason, sync_id, created_at FROM product_changes \
             WHERE store_id = ?1 AND product_id = ?2 ORDER BY created_at DESC, rowid DESC LIMIT 200",
            &[product.to_string().into()],
        )
        .await?;
    Ok(serde_json::json!({
        "supplier_checked_at": checked.supplier_checked_at,
        "supplier_available": checked.supplier_available.map(|a| a != 0),
        "changes": changes,
    }))
}
