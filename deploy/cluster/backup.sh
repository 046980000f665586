#!/bin/sh
# A daily logical backup of the shared database (cron or a systemd timer), kept 14 days:
#   docker compose exec -T postgres pg_dump -U muster -Fc muster > muster-$(date +%F).dump
# Restore into an empty database with the instances stopped:
#   pg_restore -U muster -d muster --no-owner muster-YYYY-MM-DD.dump
set -eu
cd "$(dirname "$0")"
mkdir -p backups
docker compose exec -T postgres pg_dump -U muster -Fc muster > "backups/muster-$(date +%F).dump"
find backups -name 'muster-*.dump' -mtime +14 -delete
