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

/// RFC 3339 text of a time, as stored in D1: UTC with exactly three digits of milliseconds
/// (`2026-12-07T21:55:48.970Z`), so that the text sorts as the time does. D1 orders and pages by
/// these columns as text; `time`'s own RFC 3339 form drops trailing zeros (`48.97Z`), which
/// sorts after `48.971Z`.
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stored_times_have_a_fixed_width_so_their_text_sorts_as_they_do() {
        let times = [
            datetime!(2026-12-07 21:55:48.9 UTC),
            datetime!(2026-12-07 21:55:48.95 UTC),
            datetime!(2026-12-07 21:55:48.971 UTC),
            datetime!(2026-12-07 21:55:49 UTC),
            datetime!(2026-12-07 22:55:48.5 +01:00),
        ];
        let texts: Vec<String> = times.iter().map(|t| rfc3339(*t)).collect();
        assert_eq!(texts[0], "2026-12-07T21:55:48.900Z");
        assert_eq!(texts[3], "2026-12-07T21:55:49.000Z");
        assert_eq!(texts[4], "2026-12-07T21:55:48.500Z", "in UTC");
        let mut sorted = texts.clone();
        sorted.sort();
        let mut by_time = times.to_vec();
        by_time.sort();
        assert_eq!(sorted, by_time.iter().map(|t| rfc3339(*t)).collect::<Vec<_>>());
        assert_eq!(
            OffsetDateTime::parse(&texts[1], &time::format_description::well_known::Rfc3339).unwrap(),
            times[1]
        );
    }
}
