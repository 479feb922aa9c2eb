# shellcheck shell=bash
# What a script starts, it stops: on normal exit, on Ctrl-C (SIGINT), SIGTERM and SIGHUP, bounded
# in time, by the session and process groups it recorded, never by name. Source it once near the
# top of a script: it owns the script's EXIT, INT, TERM and HUP traps (use procs_at_exit for the
# script's own cleanup, not `trap`).
#
#   procs_run CMD...         run CMD like a foreground command and return its exit status, but in
#                            a session of its own (stdin kept), so that a signal to the script
#                            stops it at once: bash runs no trap while a foreground command runs,
#                            and a SIGTERM to the script alone reaches nothing it started. On a
#                            signal CMD's session gets SIGINT (what Ctrl-C in a terminal gives it:
#                            pytest tears its fixtures down), SIGTERM after 10 s, SIGKILL after 5
#                            more. When CMD exits, what it left in its session is stopped too.
#   procs_spawn VAR CMD...   start CMD in the background in a session of its own (stdin
#                            /dev/null); VAR gets its pid, which is also its session and group id.
#                            Stopped at exit (SIGTERM, SIGKILL after 10 s) unless procs_stop ran.
#   procs_wait PID           wait for a spawned CMD to end (a signal to the script still stops
#                            it), stop what it left in its session; its exit status
#   procs_stop PID [SECS]    stop a spawned session now: SIGTERM to each of its process groups,
#                            SIGKILL after SECS (default 10), and reap its leader
#   procs_at_exit CMD...     run CMD at exit, after stopping what was started later (last in,
#                            first out), before stopping what was started earlier
#
# A second Ctrl-C during this cleanup does not cut it short (it is bounded). After it the script
# ends by the signal it got (exit status 130, 143 or 129 for its caller). A script killed outright
# (SIGKILL, which no trap sees) still takes its sessions along: each session's leader
# (scripts/lib/procs-leader) has a parent-death signal (setpriv --pdeathsig) on which it SIGTERMs
# its process group.
# Processes that leave the session (setsid) are their starter's to stop: the stand-ins' launcher
# stops its services, and scripts/lib/standins.sh's standins_down stops the launcher.

_PROCS_LEADER="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/procs-leader"

_procs_kind=()  # run | spawn | call
_procs_arg=()   # the session id, or the command (quoted) of a call
_procs_name=()  # what it is, for messages
_procs_done=0

_procs_push() { _procs_kind+=("$1"); _procs_arg+=("$2"); _procs_name+=("$3"); }

_procs_forget() {  # KIND ARG: drop the newest entry with that kind and argument
  local i
  for ((i = ${#_procs_kind[@]} - 1; i >= 0; i--)); do
    if [[ ${_procs_kind[i]} == "$1" && ${_procs_arg[i]} == "$2" ]]; then
      unset '_procs_kind[i]' '_procs_arg[i]' '_procs_name[i]'
      _procs_kind=("${_procs_kind[@]}")
      _procs_arg=("${_procs_arg[@]}")
      _procs_name=("${_procs_name[@]}")
      return 0
    fi
  done
}

# The process groups of session SID that still have a running (not zombie) process, one a line.
# A pid is never reused while a session or group of that id has a member, so these are ours.
_procs_groups() {
  local sid=$1 f line state pgrp sess
  local -A seen=()
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r state _ pgrp sess _ <<<"${line##*) }"
    [[ $sess == "$sid" && $state != [ZX] && -z ${seen[$pgrp]:-} ]] || continue
    seen[$pgrp]=1
    printf '%s\n' "$pgrp"
  done
}

_procs_signal() {  # SID SIG: signal every process group of the session; false when none is left
  local pg sent=1
  while read -r pg; do
    kill -s "$2" -- "-$pg" 2>/dev/null || true
    sent=0
  done < <(_procs_groups "$1")
  return "$sent"
}

_procs_gone_within() {  # SID SECS: true once the session has no running process, false after SECS
  local deadline=$((${EPOCHREALTIME//[!0-9]/} + $2 * 1000000))
  while [[ -n $(_procs_groups "$1") ]]; do
    ((${EPOCHREALTIME//[!0-9]/} < deadline)) || return 1
    sleep 0.1
  done
}

_procs_reap() {  # PID: collect the exit status of our own child, unless it still runs (never blocks)
  local line state
  if { read -r line <"/proc/$1/stat"; } 2>/dev/null; then
    read -r state _ <<<"${line##*) }"
    [[ $state == [ZX] ]] || return 0
  fi
  wait "$1" 2>/dev/null || true
}

# _procs_stop SID FIRST_SIGNAL SECS NAME: FIRST_SIGNAL, then SIGTERM (5 s), then SIGKILL (2 s)
_procs_stop() {
  local sid=$1 first=$2 secs=$3 name=$4
  if _procs_signal "$sid" "$first" && ! _procs_gone_within "$sid" "$secs"; then
    if [[ $first != TERM ]] && _procs_signal "$sid" TERM && _procs_gone_within "$sid" 5; then
      :
    elif _procs_signal "$sid" KILL; then
      printf '%s: %s (session %s) did not stop on SIG%s%s: killed\n' "${0##*/}" "$name" "$sid" "$first" \
        "$([[ $first == TERM ]] || echo ' and SIGTERM')" >&2
      _procs_gone_within "$sid" 2 || true
    fi
  fi
  _procs_reap "$sid"
}

procs_run() {
  local pid rc=0
  # setsid does not fork here (a background child leads no group): $! is the session's leader.
  if [[ -e /proc/self/fd/0 ]]; then
    setsid setpriv --pdeathsig TERM bash "$_PROCS_LEADER" "$@" <&0 &
  else  # stdin closed
    setsid setpriv --pdeathsig TERM bash "$_PROCS_LEADER" "$@" </dev/null &
  fi
  pid=$!
  _procs_push run "$pid" "$1"
  wait "$pid" || rc=$?
  _procs_stop "$pid" TERM 5 "$1"  # whatever it left behind in its session
  _procs_forget run "$pid"
  return "$rc"
}

procs_spawn() {
  local var=$1 pid
  shift
  setsid setpriv --pdeathsig TERM bash "$_PROCS_LEADER" "$@" &
  pid=$!
  _procs_push spawn "$pid" "$1"
  printf -v "$var" '%s' "$pid"
}

procs_wait() {
  local rc=0
  wait "$1" || rc=$?
  procs_stop "$1" 5
  return "$rc"
}

procs_stop() {
  local i name=$1
  for ((i = ${#_procs_kind[@]} - 1; i >= 0; i--)); do
    [[ ${_procs_kind[i]} == spawn && ${_procs_arg[i]} == "$1" ]] && name=${_procs_name[i]} && break
  done
  _procs_stop "$1" TERM "${2:-10}" "$name"
  _procs_forget spawn "$1"
}

procs_at_exit() {
  local cmd
  printf -v cmd '%q ' "$@"
  _procs_push call "$cmd" "$1"
}

_procs_cleanup() {
  ((_procs_done)) && return 0
  _procs_done=1
  set +e  # the cleanup runs to its end, whatever fails on the way
  trap '' INT TERM HUP
  local i
  for ((i = ${#_procs_kind[@]} - 1; i >= 0; i--)); do
    case ${_procs_kind[i]} in
      run) _procs_stop "${_procs_arg[i]}" INT 10 "${_procs_name[i]}" ;;
      spawn) _procs_stop "${_procs_arg[i]}" TERM 10 "${_procs_name[i]}" ;;
      call) eval "${_procs_arg[i]}" ;;
    esac
  done
  _procs_kind=() _procs_arg=() _procs_name=()
}

_procs_on_signal() {  # SIG CODE
  _procs_cleanup
  trap - EXIT "$1"
  kill -s "$1" "$$"  # end by the signal, as an uncaught one would (a shell that runs us then stops too)
  exit "$2"          # when the signal was ignored from the start
}

trap _procs_cleanup EXIT
trap '_procs_on_signal INT 130' INT
trap '_procs_on_signal TERM 143' TERM
trap '_procs_on_signal HUP 129' HUP
