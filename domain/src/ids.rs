//! Identifiers of the platform's resources.
//!
//! Each id is a UUID behind its own type, so a store id can never be passed where a tenant id is
//! expected. Ids are made by the caller (the edge from Web Crypto, the Lambdas from the OS) and
//! parsed here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// An id string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid id")]
pub struct InvalidId(pub String);

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an already generated UUID.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// Builds the id from 16 random bytes, as a version 4 UUID.
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self).map_err(|_| InvalidId(s.chars().take(64).collect()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A merchant organisation: the unit of tenancy, billing and data ownership.
    TenantId
);
uuid_id!(
    /// A store owned by a tenant.
    StoreId
);
uuid_id!(
    /// A product in a store's catalog.
    ProductId
);
uuid_id!(
    /// One research run of one store.
    RunId
);
uuid_id!(
    /// A person who signs in.
    UserId
);
uuid_id!(
    /// A signed-in session: one family of rotating refresh tokens.
    SessionId
);
uuid_id!(
    /// A collection of a store's products.
    CollectionId
);
uuid_id!(
    /// A blog post of a store.
    PostId
);
uuid_id!(
    /// A shopper's order in a store.
    OrderId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_string_form() {
        let id = StoreId::from_random_bytes([7; 16]);
        assert_eq!(id.to_string().parse::<StoreId>().unwrap(), id);
    }

    #[test]
    fn a_non_uuid_is_refused_with_the_offending_text() {
        let err = "store-1".parse::<TenantId>().unwrap_err();
        assert_eq!(err.to_string(), "`store-1` is not a valid id");
    }

    #[test]
    fn random_bytes_make_a_version_4_uuid() {
        let id = ProductId::from_random_bytes([0xff; 16]);
        assert_eq!(id.as_uuid().get_version_num(), 4);
    }
}
