//! A product's supplier changes (price, stock, availability), as the merchant reads them.

use crate::error::{ApiError, ApiResult};
use crate::internal::supply::ChangeView;
use crate::repo::supply;
use crate::scope::StoreScope;
use domain::ProductId;

/// `GET /v1/stores/{id}/products/{product}/changes`: what the supplier sync changed, newest first
/// (at most 200), and when the supplier was last checked.
pub async fn history(scope: &StoreScope, product: ProductId) -> ApiResult<serde_json::Value> {
    let _store = &scope.store;
    let product = product.to_string();
    let Some(checked) = supply::last_check(&scope.db, &product).await? else {
        return Err(ApiError::not_found("product"));
    };
    let changes: Vec<ChangeView> =
        supply::changes(&scope.db, &product).await?.into_iter().map(ChangeView::from).collect();
    Ok(serde_json::json!({
        "supplier_checked_at": checked.supplier_checked_at,
        "supplier_available": checked.supplier_available.map(|a| a != 0),
        "changes": changes,
    }))
}
