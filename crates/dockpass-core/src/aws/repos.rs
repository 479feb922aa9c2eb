//! The repository browser: DescribeRepositories for every registry of a session (all pages,
//! registries concurrently) and DescribeImages for one repository on demand.
//!
//! A registry that cannot be listed does not hide the others: its failure is reported next
//! to what the rest returned.

use crate::aws::sts::Credentials;
use crate::base::clock::serde_rfc3339;
use crate::registry::EcrRegistry;
use crate::{err, Code, Error, Result};
use serde::Serialize;
use std::future::Future;
use time::OffsetDateTime;

/// More pages than this from one registry means something is wrong (a server that never
/// stops paging); 200 pages of 1000 repositories is far beyond any real registry.
pub const MAX_PAGES: usize = 200;

/// One page of a paginated answer.
#[derive(Clone, Debug, Default)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// A repository as the API names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoItem {
    pub name: String,
    /// The API's URI; used for ECR Public, whose URI holds the registry's alias.
    pub uri: Option<String>,
    pub created_at: Option<OffsetDateTime>,
}

/// An image of a repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Image {
    /// Every tag, as the registry lists it (shown as text).
    pub tags: Vec<String>,
    pub digest: String,
    #[serde(with = "serde_rfc3339::option")]
    #[ts(type = "string | null")]
    pub pushed_at: Option<OffsetDateTime>,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    /// The tags that may go into a `docker pull` command: those of the OCI tag grammar. A
    /// tag is whatever was pushed, and a copied command runs in a shell.
    pub pull_tags: Vec<String>,
    /// Whether the digest may (an OCI digest of a registered algorithm).
    pub pull_digest: bool,
}

impl Image {
    /// Fills `pull_tags` and `pull_digest` from the tags and the digest.
    fn with_pull_rules(mut self) -> Image {
        self.pull_tags = self.tags.iter().filter(|t| is_tag(t)).cloned().collect();
        self.pull_digest = is_digest(&self.digest);
        self
    }
}

/// The OCI distribution spec's tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
pub fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// A digest of a registered algorithm: `sha256:` and 64, or `sha512:` and 128, lower-case
/// hex digits.
pub fn is_digest(d: &str) -> bool {
    let hex = |h: &str, n: usize| {
        h.len() == n
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    };
    match d.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// The ECR read operations behind the browser (the SDK in `aws.rs`, fakes in tests).
pub trait RepoApi: Send + Sync {
    fn repositories_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        next: Option<String>,
    ) -> impl Future<Output = Result<Page<RepoItem>>> + Send;

    fn images_page(
        &self,
        creds: &Credentials,
        registry: &EcrRegistry,
        repository: &str,
        next: Option<String>,
    ) -> impl Future<Output = Result<Page<Image>>> + Send;
}

/// A repository in the browser and in `dockpass repos --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Repository {
    /// The registry host.
    pub registry: String,
    pub region: String,
    pub account: String,
    pub name: String,
    /// What `docker pull` takes (add `:TAG`).
    pub uri: String,
    #[serde(with = "serde_rfc3339::option")]
    #[ts(type = "string | null")]
    pub created_at: Option<OffsetDateTime>,
}

/// A registry that could not be listed.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RegistryFailure {
    pub registry: String,
    pub error: Error,
}

/// Every repository of a session's registries.
#[derive(Clone, Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RepositoryList {
    pub profile: String,
    pub repositories: Vec<Repository>,
    #[serde(with = "serde_rfc3339")]
    #[ts(type = "string")]
    pub fetched_at: OffsetDateTime,
    pub errors: Vec<RegistryFailure>,
}

/// Follows `next` tokens until the last page, refusing a server that pages for ever or
/// repeats a token.
async fn all_pages<T, F, Fut>(what: &str, mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let mut out = Vec::new();
    let mut next = None;
    for _ in 0..MAX_PAGES {
        let page = fetch(next.clone()).await?;
        out.extend(page.items);
        match page.next {
            Some(t) if !t.is_empty() && Some(&t) != next.as_ref() => next = Some(t),
            Some(t) if !t.is_empty() => {
                return Err(err(
                    Code::EcrFailed,
                    format!("{what}: ECR repeated a page token; try again later"),
                ))
            }
            _ => return Ok(out),
        }
    }
    Err(err(
        Code::EcrFailed,
        format!("{what}: more than {MAX_PAGES} pages; stopped listing"),
    ))
}

/// All repositories of one registry, sorted by name.
pub async fn list_registry<A: RepoApi>(
    api: &A,
    creds: &Credentials,
    registry: &EcrRegistry,
) -> Result<Vec<Repository>> {
    let host = registry.host();
    let items = all_pages(&host, |next| api.repositories_page(creds, registry, next)).await?;
    let mut repos: Vec<Repository> = items
        .into_iter()
        .map(|i| Repository {
            registry: host.clone(),
            region: registry.region.clone(),
            account: registry.account.clone(),
            uri: match (&i.uri, registry.is_public()) {
                (Some(u), true) => u.clone(),
                _ => format!("{host}/{}", i.name),
            },
            name: i.name,
            created_at: i.created_at,
        })
        .collect();
    repos.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(repos)
}

/// Every repository of `registries` (each with the credentials that reach it), listed
/// concurrently; failures are reported per registry.
pub async fn list<A: RepoApi>(
    api: &A,
    profile: &str,
    registries: &[(EcrRegistry, Credentials)],
    now: OffsetDateTime,
) -> RepositoryList {
    let calls = registries
        .iter()
        .map(|(reg, creds)| async move { (reg.host(), list_registry(api, creds, reg).await) });
    let mut out = RepositoryList {
        profile: profile.to_string(),
        repositories: vec![],
        fetched_at: now,
        errors: vec![],
    };
    for (host, result) in futures::future::join_all(calls).await {
        match result {
            Ok(r) => out.repositories.extend(r),
            Err(error) => out.errors.push(RegistryFailure {
                registry: host,
                error,
            }),
        }
    }
    out
}

/// The images of one repository, newest first.
pub async fn images<A: RepoApi>(
    api: &A,
    creds: &Credentials,
    registry: &EcrRegistry,
    repository: &str,
) -> Result<Vec<Image>> {
    let what = format!("{}/{repository}", registry.host());
    let mut images = all_pages(&what, |next| {
        api.images_page(creds, registry, repository, next)
    })
    .await?;
    images.sort_by(|a, b| b.pushed_at.cmp(&a.pushed_at).then(a.digest.cmp(&b.digest)));
    Ok(images.into_iter().map(Image::with_pull_rules).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretString;

    #[test]
    fn pull_commands_only_for_tags_and_digests_of_the_grammar() {
        let d = format!("sha256:{}", "ab".repeat(32));
        let img = Image {
            tags: vec![
                "v1.2".into(),
                "latest".into(),
                "_x-y.z".into(),
                "a;rm -rf ~".into(),
                "$(id)".into(),
                "-flag".into(),
                ".hidden".into(),
                "x".repeat(129),
                String::new(),
            ],
            digest: d.clone(),
            ..Default::default()
        }
        .with_pull_rules();
        assert_eq!(img.pull_tags, vec!["v1.2", "latest", "_x-y.z"]);
        assert!(img.pull_digest);
        for bad in ["sha256:ab", "sha256:ZZ", "md5:0123", "sha256:&& true", ""] {
            assert!(!is_digest(bad), "{bad}");
        }
        assert!(is_tag(&"x".repeat(128)));
    }
    use std::sync::Mutex;
    use time::macros::datetime;

    /// Pages like ECR: `page` items per answer and an opaque token (moto does not page).
    struct PagingFake {
        repos: Vec<String>,
        page: usize,
        calls: Mutex<Vec<Option<String>>>,
        broken_region: Option<&'static str>,
        endless: bool,
    }

    impl RepoApi for PagingFake {
        async fn repositories_page(
            &self,
            _creds: &Credentials,
            registry: &EcrRegistry,
            next: Option<String>,
        ) -> Result<Page<RepoItem>> {
            self.calls.lock().unwrap().push(next.clone());
            if Some(registry.region.as_str()) == self.broken_region {
                return Err(err(Code::EcrFailed, "AccessDenied"));
            }
            if self.endless {
                let n: usize = next.map(|t| t[1..].parse().unwrap()).unwrap_or(0);
                return Ok(Page {
                    items: vec![],
                    next: Some(format!("t{}", n + 1)),
                });
            }
            let start: usize = next.map(|t| t[1..].parse().unwrap()).unwrap_or(0);
            let end = (start + self.page).min(self.repos.len());
            Ok(Page {
                items: self.repos[start..end]
                    .iter()
                    .map(|n| RepoItem {
                        name: format!("{}-{n}", registry.region),
                        uri: None,
                        created_at: Some(datetime!(2026-01-01 0:00 UTC)),
                    })
                    .collect(),
                next: (end < self.repos.len()).then(|| format!("t{end}")),
            })
        }

        async fn images_page(
            &self,
            _creds: &Credentials,
            _registry: &EcrRegistry,
            _repository: &str,
            next: Option<String>,
        ) -> Result<Page<Image>> {
            let img = |d: &str, day: u8| Image {
                tags: vec![format!("v{day}")],
                digest: format!("sha256:{d}"),
                pushed_at: Some(datetime!(2026-01-01 0:00 UTC) + time::Duration::days(day.into())),
                size_bytes: Some(1000),
                ..Default::default()
            };
            Ok(match next.as_deref() {
                None => Page {
                    items: vec![img("a", 1)],
                    next: Some("p2".into()),
                },
                _ => Page {
                    items: vec![img("b", 5)],
                    next: None,
                },
            })
        }
    }

    fn fake(n: usize, page: usize) -> PagingFake {
        PagingFake {
            repos: (0..n).map(|i| format!("repo{i:03}")).collect(),
            page,
            calls: Mutex::new(vec![]),
            broken_region: None,
            endless: false,
        }
    }

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "ASIA".into(),
            secret_access_key: SecretString::new("s"),
            session_token: SecretString::new("t"),
            expires_at: datetime!(2099-01-01 0:00 UTC),
        }
    }

    #[tokio::test]
    async fn follows_every_page() {
        let api = fake(250, 100);
        let reg = EcrRegistry::new("123456789012", "eu-west-1");
        let repos = list_registry(&api, &creds(), &reg).await.unwrap();
        assert_eq!(repos.len(), 250);
        assert_eq!(
            *api.calls.lock().unwrap(),
            vec![None, Some("t100".into()), Some("t200".into())]
        );
        assert_eq!(
            repos[0].uri,
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/eu-west-1-repo000"
        );
        assert!(repos.windows(2).all(|w| w[0].name <= w[1].name));
    }

    #[tokio::test]
    async fn a_failing_registry_does_not_hide_the_others() {
        let mut api = fake(3, 2);
        api.broken_region = Some("us-west-2");
        let regs = vec![
            (EcrRegistry::new("123456789012", "eu-west-1"), creds()),
            (EcrRegistry::new("123456789012", "us-west-2"), creds()),
        ];
        let out = list(&api, "corp", &regs, datetime!(2026-11-26 0:00 UTC)).await;
        assert_eq!(out.repositories.len(), 3);
        assert_eq!(out.errors.len(), 1);
        assert_eq!(
            out.errors[0].registry,
            "123456789012.dkr.ecr.us-west-2.amazonaws.com"
        );
    }

    #[tokio::test]
    async fn a_server_that_pages_for_ever_is_stopped() {
        let mut api = fake(0, 1);
        api.endless = true;
        let reg = EcrRegistry::new("123456789012", "eu-west-1");
        let e = list_registry(&api, &creds(), &reg).await.unwrap_err();
        assert!(e.message.contains("pages"), "{}", e.message);
        assert_eq!(api.calls.lock().unwrap().len(), MAX_PAGES);
    }

    #[tokio::test]
    async fn images_are_paged_and_newest_first() {
        let api = fake(0, 1);
        let reg = EcrRegistry::new("123456789012", "eu-west-1");
        let imgs = images(&api, &creds(), &reg, "app").await.unwrap();
        assert_eq!(imgs.len(), 2);
        assert_eq!(imgs[0].digest, "sha256:b");
    }

    #[test]
    fn json_has_the_documented_keys() {
        let r = Repository {
            registry: "h".into(),
            region: "eu-west-1".into(),
            account: "123456789012".into(),
            name: "app".into(),
            uri: "h/app".into(),
            created_at: None,
        };
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            ["registry", "region", "account", "name", "uri", "created_at"]
        );
    }
}
