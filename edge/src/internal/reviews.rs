//! A buyer's review, handed over by the storefront from the order's review page.

use crate::error::{ApiError, ApiResult};
use crate::internal::StoreAccess;
use crate::repo::reviews::{self, NewReview};
use crate::runtime::{new_id, now, rfc3339};
use domain::ProductId;
use queues::internal_api::{ReviewReceived, ReviewSubmission};

/// Longest title and text a review may have.
const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 4_000;
const AUTHOR_MAX: usize = 60;

/// Checks a review's fields before the store is opened.
pub fn check(input: &ReviewSubmission) -> ApiResult<()> {
    let text = |field: &str, value: &str, max: usize| {
        let length = value.trim().chars().count();
        if length == 0 || length > max {
            return Err(ApiError::invalid(field, format!("{field} must be 1 to {max} characters")));
        }
        Ok(())
    };
    if !(1..=5).contains(&input.rating) {
        return Err(ApiError::invalid("rating", "rating must be 1 to 5 stars"));
    }
    text("title", &input.title, TITLE_MAX)?;
    text("body", &input.body, BODY_MAX)?;
    text("author", &input.author, AUTHOR_MAX)
}

/// `POST /internal/stores/{id}/reviews`: a verified buyer's review, pending the merchant's
/// approval. The order's token proves the buyer; the order must hold the product and still be
/// paid for (not refunded or cancelled).
pub async fn submit(access: &StoreAccess, input: ReviewSubmission) -> ApiResult<ReviewReceived> {
    let db = &access.db;
    let purchase = reviews::purchase(db, &input.order_token, &input.product_id)
        .await?
        .ok_or_else(|| ApiError::not_found("order"))?;
    if purchase.bought == 0 {
        return Err(ApiError::invalid("product_id", "the order does not hold that product"));
    }
    if !matches!(purchase.status.as_str(), "paid" | "fulfilled") {
        return Err(ApiError::new(409, "not_reviewable", "a refunded or cancelled order cannot be reviewed"));
    }
    let id = new_id::<ProductId>().to_string();
    let review = NewReview {
        id: &id,
        product_id: &input.product_id,
        order_id: &purchase.order_id,
        rating: input.rating,
        title: input.title.trim(),
        body: input.body.trim(),
        author: input.author.trim(),
        at: &rfc3339(now()),
    };
    match db.execute_batch(vec![reviews::insert(db, &review)?]).await {
        Ok(_) => Ok(ReviewReceived { id, status: "pending".into() }),
        Err(error) if error.is_unique_violation() => {
            Err(ApiError::new(409, "already_reviewed", "You have reviewed this product already."))
        }
        Err(error) => Err(error.into()),
    }
}
