# shellcheck shell=bash
# Shell helpers for the stand-ins (source this file; needs bash, curl, and the repo's .venv).
#
#   standins_up STATE_FILE [ARGS...]   start moto + registry + saml-idp in the background
#                                      (python -m tests.standins up --state-file ...), wait
#                                      until ready, export MOTO_URL IDP_URL REGISTRY_HOST
#                                      REGISTRY_PASSWORD IMAGE_REF STANDINS_PID
#   standins_down STATE_FILE           stop them: the services recorded in STATE_FILE and the
#                                      launcher (SIGTERM by recorded pid and process group,
#                                      SIGKILL after a bound; about 20 s at most), also while
#                                      the launcher is still starting them. Safe to call twice.
# The launcher runs in a session of its own (a Ctrl-C in the terminal does not reach it): call
# standins_down on exit, interrupt and termination (scripts/lib/procs.sh's procs_at_exit). It also
# stops by itself within about a second once the shell that started it is gone (--exit-with).
#   idp_sign_in IDP_URL [ROLE...]      sign in like a browser with curl; print the HTML page
#                                      holding the SAMLResponse form (ROLE: "roleArn,providerArn")
#   saml_response_from_page            stdin: that page; stdout: the SAMLResponse (base64)

_STANDINS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_html_unescape() {
  sed -e 's/&#x3D;/=/g; s/&#61;/=/g; s/&#x2F;/\//g; s/&#x27;/'"'"'/g; s/&#39;/'"'"'/g' \
      -e 's/&#x60;/`/g; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
}

# idp_sign_in IDP_URL [ROLE_VALUE...]
idp_sign_in() {
  local url="${1:?idp_sign_in IDP_URL [ROLE...]}"
  shift
  local jar page name value
  local -a data=() roles=("$@")
  jar="$(mktemp)"
  # GET / sets the idp_sid cookie and shows the sign-in form.
  if ! page="$(curl -fsS --noproxy '*' --max-time 15 -c "$jar" -b "$jar" "$url")"; then
    rm -f "$jar"
    echo "idp_sign_in: cannot load $url" >&2
    return 1
  fi
  # Every <input name=... value=...> of the form (one per line in saml-idp's page), plus the
  # nameIdFormat select (its first option is the profile's default format).
  while IFS=$'\t' read -r name value; do
    [[ -n $name ]] || continue
    if [[ $name == "https://aws.amazon.com/SAML/Attributes/Role" ]]; then
      # The page renders the role list joined with commas: send one field per "role,provider".
      if ((${#roles[@]} == 0)); then
        local -a parts
        IFS=',' read -r -a parts <<<"$value"
        local i
        for ((i = 0; i + 1 < ${#parts[@]}; i += 2)); do
          roles+=("${parts[i]},${parts[i + 1]}")
        done
      fi
      continue
    fi
    data+=(--data-urlencode "$name=$value")
  done < <(printf '%s\n' "$page" \
    | grep -o '<input [^>]*name="[^"]*"[^>]*>' \
    | grep -v 'type="\(submit\|button\|hidden\)"' \
    | sed -n 's/.*name="\([^"]*\)".*value="\([^"]*\)".*/\1\t\2/p' \
    | _html_unescape)
  data+=(--data-urlencode "nameIdFormat=urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
  local r
  for r in "${roles[@]}"; do
    data+=(--data-urlencode "https://aws.amazon.com/SAML/Attributes/Role=$r")
  done
  curl -fsS --noproxy '*' --max-time 15 -c "$jar" -b "$jar" "${data[@]}" "${url%/}/signin"
  local rc=$?
  rm -f "$jar"
  return $rc
}

# saml_response_from_page < page.html
saml_response_from_page() {
  tr '\n' ' ' \
    | grep -o 'name="SAMLResponse"[^>]*value="[^"]*"' \
    | sed 's/.*value="\([^"]*\)"/\1/' \
    | head -n 1 \
    | _html_unescape
}

_standins_json() {  # FILE KEY.PATH
  "$_STANDINS_ROOT/.venv/bin/python" -c '
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k] if v is not None else None
print("" if v is None else v)' "$1" "$2"
}

# standins_up STATE_FILE [extra args for `python -m tests.standins up`]
standins_up() {
  local state="${1:?standins_up STATE_FILE}"
  shift
  rm -f "$state"
  # setsid does not fork here (a background child leads no process group): $! is the launcher,
  # and its pid is its session and process group id.
  (cd "$_STANDINS_ROOT" && exec setsid .venv/bin/python -m tests.standins up --state-file "$state" --exit-with $$ "$@" \
    >"$state.log" 2>&1 </dev/null) &
  STANDINS_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do
    [[ -s $state ]] && break
    if ! kill -0 "$STANDINS_PID" 2>/dev/null; then
      echo "standins_up: the launcher exited; its log ($state.log):" >&2
      cat "$state.log" >&2
      standins_down "$state"
      return 1
    fi
    sleep 0.1
  done
  if [[ ! -s $state ]]; then
    echo "standins_up: not ready after 60s; see $state.log" >&2
    standins_down "$state"
    return 1
  fi
  MOTO_URL="$(_standins_json "$state" moto.url)"
  IDP_URL="$(_standins_json "$state" idp.url)"
  REGISTRY_HOST="$(_standins_json "$state" registry.host)"
  REGISTRY_PASSWORD="$(_standins_json "$state" registry.password)"
  IMAGE_REF="$(_standins_json "$state" image.ref)"
  export MOTO_URL IDP_URL REGISTRY_HOST REGISTRY_PASSWORD IMAGE_REF STANDINS_PID
}

_standins_running() {  # PID: the launcher still runs (not a zombie, and the pid is still it)
  local line state cmdline
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
  read -r state _ <<<"${line##*) }"
  [[ $state != [ZX] ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *"tests.standins up"* ]]
}

# standins_down STATE_FILE
standins_down() {
  local state="${1:?standins_down STATE_FILE}" pid="${STANDINS_PID:-}" end
  if [[ -f $state ]]; then
    # `down` signals the launcher and each service's process group by the pids in STATE_FILE.
    # timeout bounds it and runs it in a process group of its own: a second Ctrl-C in the
    # terminal does not cut it short.
    (cd "$_STANDINS_ROOT" && timeout -k 5 30 .venv/bin/python -m tests.standins down --state-file "$state" </dev/null) || true
  fi
  if [[ -n $pid ]]; then
    # The launcher itself, also when it had not written STATE_FILE yet (still starting the
    # services): on SIGTERM it stops every service it started, within about 10 s each at worst.
    if _standins_running "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      end=$((SECONDS + 20))
      while _standins_running "$pid" && ((SECONDS < end)); do
        sleep 0.1
      done
      if _standins_running "$pid"; then
        echo "standins_down: the stand-ins' launcher ($pid) did not stop in 20 s: killed" >&2
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 0.2
      fi
    fi
    _standins_running "$pid" || wait "$pid" 2>/dev/null || true
    STANDINS_PID=""
  fi
}
