//! ECR and ECR Public over the SDK: authorization tokens (batched), repositories and images.

use super::errors::{ecr_error, generic_error};
use super::{to_time, Aws};
use crate::aws::ecr::{Ecr, RawToken};
use crate::aws::repos::{Image, Page, RepoApi, RepoItem};
use crate::aws::sts::Credentials;
use crate::registry::EcrRegistry;
use crate::{err, Code, Result, SecretString};
use std::time::Duration;
use time::OffsetDateTime;

impl Ecr for Aws {
    async fn get_authorization_token(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
    ) -> Result<RawToken> {
        if registry.is_public() {
            return self.public_token(creds).await;
        }
        // registryIds no longer scopes the token (it opens every registry the role may use),
        // but naming the account keeps the answer's proxyEndpoint about the registry we asked.
        #[allow(deprecated)]
        let out = self
            .ecr_client(creds, &registry.region)
            .get_authorization_token()
            .registry_ids(&registry.account)
            .send()
            .await
            .map_err(|e| ecr_error(e, registry))?;
        let data = out.authorization_data().first().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR returned no token for {}", registry.host()),
            )
        })?;
        raw_token(data, registry)
    }

    async fn get_authorization_tokens(
        &self,
        creds: &Credentials,
        registries: &[EcrRegistry],
    ) -> Result<Vec<RawToken>> {
        let Some(first) = registries.first() else {
            return Ok(Vec::new());
        };
        #[allow(deprecated)]
        let out = self
            .ecr_client(creds, &first.region)
            .get_authorization_token()
            .set_registry_ids(Some(registries.iter().map(|r| r.account.clone()).collect()))
            .send()
            .await
            .map_err(|e| ecr_error(e, first))?;
        let data = out.authorization_data();
        registries
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let d = batch_entry(data, registries.len(), i, &r.account).ok_or_else(|| {
                    err(
                        Code::EcrFailed,
                        format!("ECR returned no token for {}", r.host()),
                    )
                })?;
                raw_token(d, r)
            })
            .collect()
    }
}

/// The answer's entry for the `i`-th of `asked` registries: the one whose proxyEndpoint is
/// the account's; else by position when ECR answered one entry per registry; else ECR's only
/// entry (its token opens every registry the role may use).
fn batch_entry<'a>(
    data: &'a [aws_sdk_ecr::types::AuthorizationData],
    asked: usize,
    i: usize,
    account: &str,
) -> Option<&'a aws_sdk_ecr::types::AuthorizationData> {
    let prefix = format!("{account}.");
    data.iter()
        .find(|d| {
            d.proxy_endpoint().is_some_and(|p| {
                p.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .starts_with(&prefix)
            })
        })
        .or_else(|| (data.len() == asked).then(|| &data[i]))
        .or_else(|| (data.len() == 1).then(|| &data[0]))
}

fn raw_token(
    data: &aws_sdk_ecr::types::AuthorizationData,
    registry: &EcrRegistry,
) -> Result<RawToken> {
    let token = data.authorization_token().ok_or_else(|| {
        err(
            Code::EcrFailed,
            format!("ECR returned an empty token for {}", registry.host()),
        )
    })?;
    Ok(RawToken {
        authorization_token: SecretString::new(token),
        expires_at: token_expiry(data.expires_at()),
    })
}

/// ECR tokens live 12 hours: trust the answer's expiry, and assume that when it is missing.
fn token_expiry(answered: Option<&aws_smithy_types::DateTime>) -> OffsetDateTime {
    answered
        .map(to_time)
        .unwrap_or_else(|| OffsetDateTime::now_utc() + Duration::from_secs(12 * 3600))
}

impl Aws {
    async fn public_token(&self, creds: &Credentials) -> Result<RawToken> {
        let host = crate::registry::PUBLIC_HOST;
        let out = self
            .ecr_public_client(creds)
            .get_authorization_token()
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, host))?;
        let data = out.authorization_data().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR Public returned no token for {host}"),
            )
        })?;
        let token = data.authorization_token().ok_or_else(|| {
            err(
                Code::EcrFailed,
                format!("ECR Public returned an empty token for {host}"),
            )
        })?;
        Ok(RawToken {
            authorization_token: SecretString::new(token),
            expires_at: token_expiry(data.expires_at()),
        })
    }
}

/// ECR and ECR Public answer DescribeRepositories and DescribeImages with different types of
/// the same shape: one mapping for both.
macro_rules! repo_page {
    ($out:expr) => {
        Page {
            items: $out
                .repositories()
                .iter()
                .map(|r| RepoItem {
                    name: r.repository_name().unwrap_or_default().to_string(),
                    uri: r.repository_uri().map(str::to_string),
                    created_at: r.created_at().map(to_time),
                })
                .collect(),
            next: $out.next_token().map(str::to_string),
        }
    };
}

macro_rules! image_page {
    ($out:expr) => {
        Page {
            items: $out
                .image_details()
                .iter()
                .map(|d| Image {
                    tags: d.image_tags().to_vec(),
                    digest: d.image_digest().unwrap_or_default().to_string(),
                    pushed_at: d.image_pushed_at().map(to_time),
                    size_bytes: d.image_size_in_bytes(),
                    ..Default::default()
                })
                .collect(),
            next: $out.next_token().map(str::to_string),
        }
    };
}

impl RepoApi for Aws {
    async fn repositories_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        next: Option<String>,
    ) -> Result<Page<RepoItem>> {
        let host = registry.host();
        if registry.is_public() {
            let out = self
                .ecr_public_client(creds)
                .describe_repositories()
                .set_next_token(next)
                .max_results(1000)
                .send()
                .await
                .map_err(|e| generic_error(e, Code::EcrFailed, &host))?;
            return Ok(repo_page!(out));
        }
        let out = self
            .ecr_client(creds, &registry.region)
            .describe_repositories()
            .registry_id(&registry.account)
            .set_next_token(next)
            .max_results(1000)
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, &host))?;
        Ok(repo_page!(out))
    }

    async fn images_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        repository: &str,
        next: Option<String>,
    ) -> Result<Page<Image>> {
        let what = format!("{}/{repository}", registry.host());
        if registry.is_public() {
            let out = self
                .ecr_public_client(creds)
                .describe_images()
                .repository_name(repository)
                .set_next_token(next)
                .max_results(1000)
                .send()
                .await
                .map_err(|e| generic_error(e, Code::EcrFailed, &what))?;
            return Ok(image_page!(out));
        }
        let out = self
            .ecr_client(creds, &registry.region)
            .describe_images()
            .registry_id(&registry.account)
            .repository_name(repository)
            .set_next_token(next)
            .max_results(1000)
            .send()
            .await
            .map_err(|e| generic_error(e, Code::EcrFailed, &what))?;
        Ok(image_page!(out))
    }
}
