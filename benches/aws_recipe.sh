#!/bin/bash
# The aws CLI recipe that `dockpass login` replaces, for benches/bench_login.py and
# bench_scale.py: from a captured SAMLResponse (base64, in the file $1) to a docker config
# holding every registry's token, one step after the other as a script does it.
#
#   1. aws sts assume-role-with-saml               (the federated role)
#   2. aws sts assume-role, per chained role       (with the federated role's keys)
#   3. aws ecr get-login-password, per registry    (with the keys of the role that reaches it)
#   4. the docker config: `docker login --password-stdin HOST` per registry in the usual
#      recipe. docker login also calls the registry, which does not exist here, and docker is
#      not installed: one python3 process writes all the entries instead, the way docker's file
#      store does (auths[HOST].auth = base64("AWS:" + password), temp file, fsync, rename,
#      mode 0600). That is cheaper than one docker process per registry: it favours the aws CLI.
#
# Environment: ROLE_ARN, PRINCIPAL_ARN; REGISTRIES: one "ACCOUNT REGION VIA" line per
# registry (VIA: "-" for the federated role, else the chained role's ARN); DOCKER_CONFIG;
# the aws CLI's own variables (AWS_ENDPOINT_URL at moto, AWS_DEFAULT_REGION, ...).
# Prints one line per registry written.
set -euo pipefail

saml=$(<"$1")
keys() {  # the Credentials of an STS answer as "KEY SECRET TOKEN"
  "$@" --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text
}
fed=$(keys aws sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PRINCIPAL_ARN" \
  --saml-assertion "$saml")
read -r fed_key fed_secret fed_token <<<"$fed"

declare -A chain_keys
lines=""
while read -r account region via; do
  [[ -n $account ]] || continue
  if [[ $via == - ]]; then
    k=("$fed_key" "$fed_secret" "$fed_token")
  else
    if [[ -z ${chain_keys[$via]:-} ]]; then
      chain_keys[$via]=$(AWS_ACCESS_KEY_ID=$fed_key AWS_SECRET_ACCESS_KEY=$fed_secret \
        AWS_SESSION_TOKEN=$fed_token keys aws sts assume-role --role-arn "$via" \
        --role-session-name dockpass)
    fi
    read -r -a k <<<"${chain_keys[$via]}"
  fi
  password=$(AWS_ACCESS_KEY_ID=${k[0]} AWS_SECRET_ACCESS_KEY=${k[1]} AWS_SESSION_TOKEN=${k[2]} \
    aws ecr get-login-password --region "$region")
  lines+="$account.dkr.ecr.$region.amazonaws.com $password"$'\n'
done <<<"$REGISTRIES"

python3 -I -c '
import base64, json, os, sys
path = os.path.join(os.environ["DOCKER_CONFIG"], "config.json")
try:
    with open(path) as f:
        cfg = json.load(f)
except FileNotFoundError:
    cfg = {}
auths = cfg.setdefault("auths", {})
for line in filter(None, sys.stdin.read().splitlines()):
    host, password = line.split(" ", 1)
    auths[host] = {"auth": base64.b64encode(("AWS:" + password).encode()).decode()}
    print(host)
tmp = path + ".tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump(cfg, f, indent="\t")
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, path)
' <<<"$lines"
