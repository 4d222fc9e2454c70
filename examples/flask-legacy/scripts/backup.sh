#!/usr/bin/env bash
# Nightly logical backup of the library database.
# Installed in the db host's crontab:
#   15 2 * * * /opt/library/scripts/backup.sh >> /var/log/library-backup.log 2>&1
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/library}"
RETENTION_DAYS="${RETENTION_DAYS:-14}"
STAMP="$(date +%Y%m%d-%H%M%S)"
TARGET="$BACKUP_DIR/library-$STAMP.dump"

mkdir -p "$BACKUP_DIR"

pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$TARGET.partial"
mv "$TARGET.partial" "$TARGET"

# keep two weeks of dumps
find "$BACKUP_DIR" -name 'library-*.dump' -mtime +"$RETENTION_DAYS" -delete

echo "$(date -Is) backup ok: $TARGET ($(du -h "$TARGET" | cut -f1))"
