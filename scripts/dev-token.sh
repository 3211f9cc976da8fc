#!/usr/bin/env bash
# Mints a bearer token (HS256 JWT) for a LOCAL gateway, signed with the published development key. The gateway
# accepts it only when it runs with development keys: ./run.sh, the end-to-end tests, the Development/Testing
# environments, or Platform__UseDevelopmentKeys=true. Never in production: the key is in this repository.
#
#   scripts/dev-token.sh                         platform admin (all tenants, tenant management), for 1 hour
#   scripts/dev-token.sh --tenant acme           a partner app of tenant 'acme' (its own data only)
#   scripts/dev-token.sh --sub alice --ttl 600   who the audit trail names (as jwt:<sub>), lifetime in seconds
#   scripts/dev-token.sh --internal [--tenant acme]
#                                                the gateway's INTERNAL token instead, for calling a service directly
#                                                (bypassing the gateway) in development; the audit trail names <sub>
#
#   curl -H "Authorization: Bearer $(scripts/dev-token.sh)" http://127.0.0.1:8080/api/tenants
#
# The key, issuer and audience are DevelopmentKeys.JwtSigningKey / JwtIssuer / JwtAudience in
# services/GoCoffee.ServiceDefaults/Security/DevelopmentKeys.cs (a gateway test checks they agree with this script).
set -euo pipefail

KEY='gocoffee-development-jwt-signing-key-0123456789ab'
ISSUER='gocoffee-dev'
AUDIENCE='gocoffee-api'

sub=dev-operator tenant='' ttl=3600
while (($#)); do
  case $1 in
    --internal)
      # DevelopmentKeys.InternalTokenSigningKey and InternalTokenOptions' issuer and audience.
      KEY='gocoffee-development-internal-token-key-0123456789'
      ISSUER='gocoffee-gateway'
      AUDIENCE='gocoffee-services'
      ;;
    --tenant) tenant=${2:?--tenant needs a tenant id}; shift ;;
    --sub) sub=${2:?--sub needs a name}; shift ;;
    --ttl) ttl=${2:?--ttl needs seconds}; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
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
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s",%s,"iat":%d,"nbf":%d,"exp":%d}' \
  "$ISSUER" "$AUDIENCE" "$sub" "$scope" "$now" "$now" $((now + ttl)) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$KEY" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
