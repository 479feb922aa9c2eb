//! IAM over the SDK: the account's alias. IAM is a global service: its endpoint is the
//! partition's (`AWS_ENDPOINT_URL_IAM` overrides it).

use super::errors::{error_code, root_cause};
use super::{provider, Aws};
use crate::aws::iam::Iam;
use crate::aws::sts::Credentials;
use crate::registry::{default_region, partition_of};
use crate::{err, Code, Result};
use aws_config::Region;

impl Iam for Aws {
    async fn account_alias(&self, creds: &Credentials) -> Result<Option<String>> {
        let region = default_region(partition_of(&self.region));
        let conf = aws_sdk_iam::config::Builder::from(&self.base)
            .region(Region::new(region.to_string()))
            .credentials_provider(provider(creds))
            .build();
        let out = aws_sdk_iam::Client::from_conf(conf)
            .list_account_aliases()
            .max_items(1)
            .send()
            .await
            .map_err(|e| {
                let code = error_code(&e);
                err(
                    Code::StsFailed,
                    format!("IAM ListAccountAliases failed ({code}): {}", root_cause(&e)),
                )
            })?;
        Ok(out.account_aliases().first().cloned())
    }
}
