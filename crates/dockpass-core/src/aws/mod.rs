//! AWS: STS (federated and chained roles), ECR and ECR Public tokens, the account's alias (IAM),
//! repository listings,
//! credentials from an AWS shared-config profile, the IAM Identity Center token cache shared
//! with the AWS CLI, and the SDK client behind them.

pub mod console;
pub mod ecr;
pub mod iam;
pub mod identity_center;
pub mod login_cache;
pub mod profile_source;
pub mod repos;
pub mod sdk;
pub mod shared_config;
pub mod sso_cache;
pub mod sts;

pub use sdk::Aws;
