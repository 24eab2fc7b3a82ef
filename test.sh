#!/usr/bin/env bash
# Runs every test of the repository on a fresh Debian machine with the .NET SDK:
#   ./test.sh
# It installs what the tests need when it is missing (Debian's chromium for the browser
# tests, postgresql for the store tests), builds the solution once, runs every test project
# and ends with one summary line "Tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The local OpenID provider of the sign-in tests (oidc-provider, from the committed lock file).
if [ ! -d FinTech.Portal.Tests/Identity/oidc/node_modules/oidc-provider ]; then
  (cd FinTech.Portal.Tests/Identity/oidc && npm ci --no-audit --no-fund --loglevel=error)
fi

# The AWS SDK for JavaScript v2 of the Aws differential tests (from the committed lock file).
if [ ! -d FinTech.Portal.Tests/Aws/jssdk/node_modules/aws-sdk ]; then
  (cd FinTech.Portal.Tests/Aws/jssdk && npm ci --no-audit --no-fund --loglevel=error)
fi

# axe-core, which the accessibility browser tests run inside the pages (from the committed lock file).
if [ ! -d FinTech.Portal.Tests/Browser/axe/node_modules/axe-core ]; then
  (cd FinTech.Portal.Tests/Browser/axe && npm ci --no-audit --no-fund --loglevel=error)
fi

results="$(pwd)/.test-artifacts"
rm -rf "$results"; mkdir -p "$results"

dotnet build FinTech.Portal.sln -c Debug -nologo -v q -clp:ErrorsOnly

status=0
dotnet test FinTech.Portal.sln -c Debug --no-build -nologo \
  --logger "console;verbosity=minimal" --logger "trx" --results-directory "$results" \
  2>&1 | tee "$results/test-output.txt" || status=$?

# One closing line for people and CI: the sum of the TRX counters of every test project.
count() { cat "$results"/*.trx 2>/dev/null | grep -o "<Counters [^>]*" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]\+' | awk '{s+=$1} END {print s+0}' || true; }
passed=$(count passed)
failed=$(count failed)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Tests: ${passed} passed, ${failed} failed"
exit "$status"
