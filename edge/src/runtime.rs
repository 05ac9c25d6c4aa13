//! What the Worker runtime provides in place of the OS: the clock and randomness.

use time::OffsetDateTime;
use worker::js_sys::{global, Function, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the Unix epoch, from `Date.now()`.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// The current time.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms()) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 text of a time, as stored in D1.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Cryptographically random bytes from Web Crypto's `getRandomValues`.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let buffer = Uint8Array::new_with_length(N as u32);
    let crypto = Reflect::get(&global(), &JsValue::from_str("crypto")).expect("Workers expose crypto");
    let get_random_values: Function = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
        .expect("Workers expose crypto.getRandomValues")
        .unchecked_into();
    get_random_values.call1(&crypto, &buffer).expect("getRandomValues fills the buffer");
    let mut out = [0u8; N];
    buffer.copy_to(&mut out);
    out
}

/// A new random id of any of the domain's id types.
pub fn new_id<T: From<RandomId>>() -> T {
    T::from(RandomId(random_bytes()))
}

/// 16 random bytes on their way to becoming an id.
pub struct RandomId([u8; 16]);

macro_rules! from_random {
    ($($t:ty),*) => {$(
        impl From<RandomId> for $t {
            fn from(r: RandomId) -> Self {
                <$t>::from_random_bytes(r.0)
            }
        }
    )*};
}
from_random!(
    domain::TenantId,
    domain::StoreId,
    domain::ProductId,
    domain::RunId,
    domain::UserId,
    domain::SessionId,
    domain::CollectionId,
    domain::PostId,
    domain::OrderId
);
