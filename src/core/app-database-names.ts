import * as v from './private/validators';
import { Problem, throwIfAny } from './private/validators';

/**
 * Names that override an app's defaults in {@link AppDatabaseNames.of}. Every name defaults to
 * the library's naming convention.
 */
export interface AppDatabaseNamesOptions {
  /**
   * The app's PostgreSQL database.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default `<app>_db` (with `-` replaced by `_`)
   */
  readonly databaseName?: string;
  /**
   * The app's PostgreSQL login role.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default `<app>_user` (with `-` replaced by `_`)
   */
  readonly username?: string;
  /**
   * The app's schema, owned by its user and first in its `search_path`.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default `<app>` (with `-` replaced by `_`)
   */
  readonly schemaName?: string;
  /**
   * Name of the app's Kubernetes Secret.
   * Tokens: refused (the value is checked and written into text when this is created).
   * @default `<app>-db-secret` (with `_` replaced by `-`)
   */
  readonly secretName?: string;
}

/**
 * Every name of one app's database, made and validated once from the app name: its PostgreSQL
 * database, role and schema, the name of its Secret, and the DNS-label form used in Kubernetes
 * object names and labels. Constructs take this object and never derive or check names again.
 *
 * An app name is lower-case letters, digits, `_` and `-`, starting with a letter, at most 46
 * characters (so `<app>-db-init-<8 hex>` fits a 63-character Kubernetes name). Both
 * `example_app` and `example-app` work: PostgreSQL names use `_`, Kubernetes names use `-`.
 */
export class AppDatabaseNames {
  /** Longest app name: `<app>-db-init-<8 hex>` must still be a 63-character label. */
  public static readonly MAX_APP_NAME_LENGTH = 46;

  /**
   * The names of app `appName`, with the library's defaults for those `options` leaves out.
   * Throws one error listing every unusable name.
   *
   * @param appName the app, e.g. `example_app`
   * @param options names overriding the defaults
   */
  public static of(appName: string, options: AppDatabaseNamesOptions = {}): AppDatabaseNames {
    const problems: Problem[] = [];
    const names = AppDatabaseNames._resolve(appName, options, problems);
    throwIfAny('AppDatabaseNames', problems);
    return names;
  }

  /**
   * Derives the names and appends every problem to `problems`, for a construct that collects its
   * own problems too; the result may be used only when no problem was added.
   * @internal
   */
  public static _resolve(appName: string, options: AppDatabaseNamesOptions, problems: Problem[]): AppDatabaseNames {
    const names = new AppDatabaseNames(appName, options);
    const appProblem = v.appName('appName', appName, AppDatabaseNames.MAX_APP_NAME_LENGTH);
    // A default derived from a bad app name is not reported again; a name given explicitly is. A
    // default derived from a good app name that is still unusable (app 'pg_x' gives the role
    // 'pg_x_user') is reported as coming from the app name.
    const check = (given: string | undefined, prop: string, problem: (label: string) => Problem) => {
      if (given !== undefined) return problem(prop);
      return appProblem === undefined ? problem(`${prop} (derived from appName ${v.show(appName)})`) : undefined;
    };
    problems.push(
      appProblem,
      check(options.databaseName, 'databaseName', (p) => v.pgDatabaseName(p, names.databaseName)),
      check(options.username, 'username', (p) => v.pgRoleName(p, names.username)),
      check(options.schemaName, 'schemaName', (p) => v.pgSchemaName(p, names.schemaName)),
      check(options.secretName, 'secretName', (p) => v.kubernetesName('Secret', p, names.secretName)),
    );
    return names;
  }

  /** The app name as given, e.g. `example_app`. */
  public readonly appName: string;
  /** The app name as a DNS-1123 label (`_` replaced by `-`), used in Kubernetes object names and labels, e.g. `example-app`. */
  public readonly resourceName: string;
  /** PostgreSQL database, e.g. `example_app_db`. */
  public readonly databaseName: string;
  /** PostgreSQL login role, e.g. `example_app_user`. */
  public readonly username: string;
  /** PostgreSQL schema owned by the user, e.g. `example_app`. */
  public readonly schemaName: string;
  /** Kubernetes Secret with the connection details, e.g. `example-app-db-secret`. */
  public readonly secretName: string;

  private constructor(appName: string, options: AppDatabaseNamesOptions) {
    const identifier = String(appName).replace(/-/g, '_');
    this.appName = appName;
    this.resourceName = String(appName).replace(/_/g, '-');
    this.databaseName = options.databaseName ?? `${identifier}_db`;
    this.username = options.username ?? `${identifier}_user`;
    this.schemaName = options.schemaName ?? identifier;
    this.secretName = options.secretName ?? `${this.resourceName}-db-secret`;
  }
}
