#!/usr/bin/env bash
# Mints a bearer token for a LOCAL platform, signed with a published development key. Never in production: the keys
# are in this repository.
#
#   scripts/dev-token.sh                         platform admin (all tenants, tenant management), for 1 hour
#   scripts/dev-token.sh --tenant acme           a partner app of tenant 'acme' (its own data only)
#   scripts/dev-token.sh --sub alice --ttl 600   who the audit trail names (as jwt:<sub>), lifetime in seconds
#   scripts/dev-token.sh --internal --service tenant [--tenant acme]
#                                                the gateway's INTERNAL token instead, for calling one service directly
#                                                (bypassing the gateway) in development: ES256, signed with the
#                                                development private key, valid only at --service (its name: tenant,
#                                                ai-workload, observability, orders, web3, cluster-agent); the audit
#                                                trail names <sub>
#
#   curl -H "Authorization: Bearer $(scripts/dev-token.sh)" http://127.0.0.1:8080/api/tenants
#   curl -H "Authorization: Bearer $(scripts/dev-token.sh --internal --service tenant)" http://127.0.0.1:5101/api/tenants
#
# The gateway accepts the first kind (HS256) only when it uses development keys: no Gateway:Jwt:Issuers configured and
# the Development/Testing environment or Platform__UseDevelopmentKeys=true (./run.sh, the end-to-end tests), never in a
# pod. A service accepts the second kind only when it has no Platform:InternalToken:PublicKey of its own.
# The keys, issuers and audiences are those of services/GoCoffee.ServiceDefaults/Security/DevelopmentKeys.cs and
# InternalTokenOptions (a gateway test checks that this script's tokens are accepted).
set -euo pipefail

KEY='gocoffee-development-jwt-signing-key-0123456789ab'
ISSUER='gocoffee-dev'
AUDIENCE='gocoffee-api'
# DevelopmentKeys.InternalTokenPrivateKey (ECDSA P-256).
INTERNAL_KEY='-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgirfH5ongCReZLf/z
4lXiq2nomzpw8ycf94BOZJZ5tGWhRANCAAT2lEhOpDI4+FkKei/bOvxFDEKXZn0F
3QYMZyYKemiH70JwV3e3fM0H/5P44GOGIQzZcy81KxBfxZ78w9DpiFtM
-----END PRIVATE KEY-----'

sub=dev-operator tenant='' ttl=3600 internal='' service=''
while (($#)); do
  case $1 in
    --internal) internal=1 ;;
    --service) service=${2:?--service needs a service name}; shift ;;
    --tenant) tenant=${2:?--tenant needs a tenant id}; shift ;;
    --sub) sub=${2:?--sub needs a name}; shift ;;
    --ttl) ttl=${2:?--ttl needs seconds}; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ -n $internal ]]; then
  [[ -n $service ]] || { echo "--internal needs --service <name>: an internal token is valid at one service only" >&2; exit 2; }
  [[ $service =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || { echo "--service: a service name (lower-case letters, digits, -)" >&2; exit 2; }
  # InternalTokenOptions: the gateway's issuer; the audience is the service's name.
  ISSUER='gocoffee-gateway'
  AUDIENCE=$service
elif [[ -n $service ]]; then
  echo "--service goes with --internal" >&2; exit 2
fi
[[ $ttl =~ ^[0-9]+$ ]] || { echo "--ttl needs a number of seconds" >&2; exit 2; }
[[ $sub =~ ^[A-Za-z0-9@._:-]+$ ]] || { echo "--sub: letters, digits and @._:- only" >&2; exit 2; }
[[ -z $tenant || $tenant =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || { echo "--tenant: a tenant id (lower-case letters, digits, -)" >&2; exit 2; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
if [[ -n $tenant ]]; then
  scope="\"scope\":\"tenant\",\"tenant_id\":\"$tenant\""
else
  scope='"scope":"platform-admin"'
fi
payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s",%s,"iat":%d,"nbf":%d,"exp":%d}' \
  "$ISSUER" "$AUDIENCE" "$sub" "$scope" "$now" "$now" $((now + ttl)) | b64url)
if [[ -z $internal ]]; then
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$KEY" -binary | b64url)
else
  header=$(printf '{"alg":"ES256","typ":"JWT"}' | b64url)
  keyfile=$(mktemp)
  trap 'rm -f "$keyfile"' EXIT
  printf '%s\n' "$INTERNAL_KEY" >"$keyfile"
  # openssl signs in DER (SEQUENCE of the integers r and s); a JWS carries r and s as two 32-byte big-endian numbers.
  rs=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$keyfile" | openssl asn1parse -inform DER \
    | awk -F: '/INTEGER/ { v = $NF; while (length(v) < 64) v = "0" v; printf "%s", substr(v, length(v) - 63) }')
  [[ ${#rs} == 128 ]] || { echo "could not sign with openssl" >&2; exit 1; }
  signature=$(printf '%b' "$(sed 's/../\\x&/g' <<<"$rs")" | b64url)
fi
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
