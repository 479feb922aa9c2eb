//! Where the controller gets its AWS clients: the SDK in the app, a fake in tests.

use crate::aws::console::Federation;
use crate::aws::ecr::Ecr;
use crate::aws::iam::Iam;
use crate::aws::identity_center::{SsoOidc, SsoPortal};
use crate::aws::profile_source::ProfileSource;
use crate::aws::repos::RepoApi;
use crate::aws::sts::Sts;
use crate::aws::Aws;
use crate::config::Profile;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// Gives the AWS client for a profile: the SDK in the app, a fake in tests.
pub trait AwsProvider: Send + Sync + 'static {
    type Client: Sts
        + Ecr
        + Iam
        + RepoApi
        + ProfileSource
        + SsoOidc
        + SsoPortal
        + Federation
        + Send
        + Sync
        + 'static;
    fn client(&self, profile: &Profile) -> impl Future<Output = Arc<Self::Client>> + Send;
}

/// The real SDK clients, configured once per profile and shared.
#[derive(Default)]
pub struct SdkProvider(tokio::sync::Mutex<HashMap<String, Arc<Aws>>>);

impl AwsProvider for SdkProvider {
    type Client = Aws;

    async fn client(&self, p: &Profile) -> Arc<Aws> {
        let mut cache = self.0.lock().await;
        if let Some(a) = cache.get(&p.name) {
            return a.clone();
        }
        let a = Arc::new(Aws::new(&p.region, p.sts_endpoint.as_deref()).await);
        cache.insert(p.name.clone(), a.clone());
        a
    }
}
