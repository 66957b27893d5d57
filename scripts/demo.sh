# shellcheck shell=bash
# scripts/demo.sh - loads the demo data into SIPAS_DATABASE_URL (sourced by run and test).
# demo_setup SIPAS: agencies, forms, a demo round, and an admin token kept in var/admin-token.
# Sets DEMO_SURVEY and DEMO_ADMIN_TOKEN. Idempotent.

DEMO_SURVEY=demo-2026

demo_setup() {
  local sipas=$1 root=$SIPAS_ROOT
  "$sipas" agencies import "$root/sql/demo/agencies-lang-son.csv" >/dev/null
  if "$sipas" forms --help >/dev/null 2>&1 && ls "$root"/survey-forms/*.json >/dev/null 2>&1; then
    "$sipas" forms load "$root/survey-forms" >/dev/null
  fi
  if "$sipas" survey --help >/dev/null 2>&1; then
    "$sipas" survey create --id "$DEMO_SURVEY" --form agency-2024-individual \
      --title "Khảo sát mức độ hài lòng năm 2026 (thử nghiệm)" --baseline 79.30 \
      --baseline-label "SIPAS 2023" --frame "$root/sql/demo/frame-demo.csv" >/dev/null 2>&1 || true
  fi
  DEMO_ADMIN_TOKEN=""
  if [ -s "$root/var/admin-token" ]; then
    DEMO_ADMIN_TOKEN=$(cat "$root/var/admin-token")
    # still valid for this database?
    if ! psql -qAtX "$SIPAS_DATABASE_URL" -c \
        "SELECT 1 FROM tokens WHERE id = split_part('$DEMO_ADMIN_TOKEN', '_', 2)::int AND revoked_at IS NULL" \
        2>/dev/null | grep -q 1; then
      DEMO_ADMIN_TOKEN=""
    fi
  fi
  if [ -z "$DEMO_ADMIN_TOKEN" ]; then
    DEMO_ADMIN_TOKEN=$("$sipas" token create --role admin --name "demo admin")
    (umask 077; printf '%s\n' "$DEMO_ADMIN_TOKEN" > "$root/var/admin-token")
  fi
  export DEMO_SURVEY DEMO_ADMIN_TOKEN
}
