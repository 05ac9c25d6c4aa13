//! The store scope: a caller authorised for an action on one store, with the store's database
//! opened for it. Every store route gets one, made once by the dispatcher; handlers never load or
//! authorise a store themselves.

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::repo::stores::{self, Store};
use domain::accounts::Action;
use domain::StoreId;
use tenancy::shards::{PlatformDb, StoreDb};
use worker::Env;

/// An authorised caller on one store.
pub struct StoreScope {
    /// The store, as the platform database holds it.
    pub store: Store,
    /// The store's rows, and only its rows.
    pub db: StoreDb,
    /// Who is calling.
    pub principal: Principal,
}

impl StoreScope {
    /// Loads the store and checks that the caller may take `action` on it. Another tenant's
    /// store answers 404, exactly as one that does not exist; a role too weak answers 403.
    pub async fn authorize(env: &Env, principal: Principal, id: StoreId, action: Action) -> ApiResult<Self> {
        let store = principal.store(stores::load(&PlatformDb::open(env)?, id).await?, action)?;
        let db = store.db(env)?;
        Ok(Self { store, db, principal })
    }

    /// Who the audit log names for the caller's writes.
    pub fn actor(&self) -> String {
        self.principal.actor()
    }
}
