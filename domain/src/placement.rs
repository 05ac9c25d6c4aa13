//! Which store-database shard a new store is placed on.
//!
//! Shards are D1 databases bound to the Workers as `STORE_DB_0..N`. Bindings are static per
//! deployment, so a store's shard is chosen once, recorded, and never derived again from a hash
//! that would move when shards are added.

use crate::ids::StoreId;
use serde::{Deserialize, Serialize};

/// The index of a store database shard (`STORE_DB_<n>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ShardIndex(pub u16);

impl ShardIndex {
    /// The Worker binding name of this shard.
    pub fn binding(self) -> String {
        format!("STORE_DB_{}", self.0)
    }
}

/// The shards stores may be placed on, with how many stores each already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardLoad {
    /// The shard.
    pub shard: ShardIndex,
    /// Stores already placed on it.
    pub stores: u32,
    /// Whether the shard is reserved for one tenant (dedicated placement).
    pub dedicated_to_other: bool,
}

/// No shard can take the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no store database shard is available")]
pub struct NoShardAvailable;

/// Places a store on the least-loaded shared shard, or on the tenant's own shard when it has one.
/// Ties go to the store id's hash, so concurrent creations spread instead of piling on one shard.
pub fn place(
    store: StoreId,
    dedicated: Option<ShardIndex>,
    shards: &[ShardLoad],
) -> Result<ShardIndex, NoShardAvailable> {
    if let Some(own) = dedicated {
        return Ok(own);
    }
    let shared: Vec<&ShardLoad> = shards.iter().filter(|s| !s.dedicated_to_other).collect();
    let least = shared.iter().map(|s| s.stores).min().ok_or(NoShardAvailable)?;
    let tied: Vec<&&ShardLoad> = shared.iter().filter(|s| s.stores == least).collect();
    let pick = (store.as_uuid().as_u128() % tied.len() as u128) as usize;
    Ok(tied[pick].shard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(shard: u16, stores: u32) -> ShardLoad {
        ShardLoad { shard: ShardIndex(shard), stores, dedicated_to_other: false }
    }

    #[test]
    fn stores_go_to_the_least_loaded_shard() {
        let id = StoreId::from_random_bytes([1; 16]);
        assert_eq!(place(id, None, &[load(0, 10), load(1, 3), load(2, 7)]), Ok(ShardIndex(1)));
    }

    #[test]
    fn a_tenant_with_its_own_shard_always_lands_there() {
        let id = StoreId::from_random_bytes([1; 16]);
        assert_eq!(place(id, Some(ShardIndex(9)), &[load(0, 0)]), Ok(ShardIndex(9)));
    }

    #[test]
    fn shards_dedicated_to_another_tenant_are_never_shared() {
        let id = StoreId::from_random_bytes([1; 16]);
        let mut own = load(0, 0);
        own.dedicated_to_other = true;
        assert_eq!(place(id, None, &[own, load(1, 50)]), Ok(ShardIndex(1)));
        let mut only = load(0, 0);
        only.dedicated_to_other = true;
        assert_eq!(place(id, None, &[only]), Err(NoShardAvailable));
    }

    #[test]
    fn ties_spread_across_shards_by_store_id() {
        let shards = [load(0, 0), load(1, 0)];
        let picks: std::collections::HashSet<_> =
            (0u8..16).map(|b| place(StoreId::from_random_bytes([b; 16]), None, &shards).unwrap()).collect();
        assert_eq!(picks.len(), 2);
    }

    #[test]
    fn shard_bindings_match_the_worker_configuration() {
        assert_eq!(ShardIndex(3).binding(), "STORE_DB_3");
    }
}
