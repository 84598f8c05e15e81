/**
 * A set of defaults for IndependentRds. Every value a preset chooses can still be overridden
 * by a prop.
 */
export class DatabasePreset {
  /**
   * Production: Multi-AZ (Aurora: a writer plus a reader), deletion protection on, removal
   * RETAIN, 7-day backups, Performance Insights, enhanced monitoring and alarms.
   */
  public static readonly PRODUCTION = new DatabasePreset('production', true);

  /**
   * Development: single-AZ, a small instance class, 1-day backups, removal SNAPSHOT and no
   * deletion protection. Still encrypted and private.
   */
  public static readonly DEVELOPMENT = new DatabasePreset('development', false);

  private constructor(
    /** The preset's name, `production` or `development`. */
    public readonly name: string,
    /** True for the production preset. */
    public readonly isProduction: boolean,
  ) {}

  /** The preset's name. */
  public toString(): string {
    return this.name;
  }
}
