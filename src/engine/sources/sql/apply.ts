import type { MigrationStatement } from '../../facts/migrations';
import type { Schema } from '../../facts/schema';

// PLACEHOLDER until the SQL front end lands: replays one parsed DDL statement onto a schema.
export function applyMigrationStatement(_schema: Schema, _st: MigrationStatement, _file: string): void {}
