import type { ParseProblem } from '../types';
import type { DbClientConfig, Evidence, HardcodedCredential } from './config';
import type { Migration } from './migrations';
import type { CallInLoop, ColumnWrite, FunctionFact, QuerySite, RelationAccess, SqlSite, UniquenessAssumption } from './queries';
import type { Schema, Table } from './schema';

export * from './config';
export * from './migrations';
export * from './queries';
export * from './schema';

/** Everything one front end learned from one file. Cached per file content; merged into ProjectFacts. */
export interface FileFacts {
  path: string;
  /** 'python' | 'sql' | 'config' | 'typescript' | 'prisma' | 'skipped' */
  language: string;
  problems: ParseProblem[];
  /** Tables declared by ORM models in this file (origin 'model'). */
  tables: Table[];
  migrations: Migration[];
  queries: QuerySite[];
  relationAccesses: RelationAccess[];
  functions: FunctionFact[];
  callsInLoops: CallInLoop[];
  uniquenessAssumptions: UniquenessAssumption[];
  columnWrites: ColumnWrite[];
  clients: DbClientConfig[];
  credentials: HardcodedCredential[];
  evidence: Evidence[];
  sqlSites: SqlSite[];
}

export function emptyFileFacts(path: string, language: string): FileFacts {
  return {
    path,
    language,
    problems: [],
    tables: [],
    migrations: [],
    queries: [],
    relationAccesses: [],
    functions: [],
    callsInLoops: [],
    uniquenessAssumptions: [],
    columnWrites: [],
    clients: [],
    credentials: [],
    evidence: [],
    sqlSites: [],
  };
}

/** A query reached from a loop through one or more project function calls. */
export interface IndirectLoopQuery {
  call: CallInLoop;
  /** The function chain from the callee down to the function that queries. */
  chain: string[];
  query: QuerySite;
}

/** The whole project, merged: what rules read. */
export interface ProjectFacts {
  files: Map<string, FileFacts>;
  /** Merged schema: migrations replayed in order, then model declarations layered on (indexes/uniques union). */
  schema: Schema;
  /** Schema from models alone and from migrations alone, for rules that compare the two. */
  modelSchema: Schema;
  migrationSchema: Schema;
  /** Migrations in apply order (graph order for Alembic, version order for file-based tools), `tablesBefore` set. */
  migrations: Migration[];
  /** Model class name → table name. */
  modelTables: Map<string, string>;
  queries: QuerySite[];
  relationAccesses: RelationAccess[];
  functions: FunctionFact[];
  callsInLoops: CallInLoop[];
  indirectLoopQueries: IndirectLoopQuery[];
  uniquenessAssumptions: UniquenessAssumption[];
  columnWrites: ColumnWrite[];
  clients: DbClientConfig[];
  credentials: HardcodedCredential[];
  evidence: Evidence[];
  sqlSites: SqlSite[];
  problems: FileFacts['problems'];
}
