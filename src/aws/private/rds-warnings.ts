import { Annotations, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { RdsSettings } from './rds-settings';
import { DatabaseEngineFamily } from '../database-engine-family';

/** Id of the warning about a production database in a stack without termination protection. */
export const TERMINATION_PROTECTION_WARNING = 'cdk-db-platform:terminationProtection';
/** Id of the warning shown while `allowMajorVersionUpgrade` is on. */
export const MAJOR_UPGRADE_WARNING = 'cdk-db-platform:majorVersionUpgradeAllowed';

/**
 * Warns, once the app is complete, when the stack holding a production database can be deleted
 * without friction. Read by an aspect because termination protection can be turned on after the
 * database is created (`stack.terminationProtection = true`).
 */
class TerminationProtectionCheck implements IAspect {
  public constructor(private readonly db: IConstruct) {}

  public visit(node: IConstruct): void {
    if (node !== this.db) return;
    const stack = Stack.of(node);
    if (stack.terminationProtection) return;
    Annotations.of(node).addWarningV2(TERMINATION_PROTECTION_WARNING,
      `IndependentRds: the stack ${stack.node.path} holds a production database but has no termination protection (got terminationProtection false). `
      + 'Deleting the stack (cdk destroy, a console click) then goes through: the retained database, its key and its secret are left behind outside '
      + 'any stack, still billed, and the rest of the stack is deleted. Set terminationProtection: true on the stack.');
  }
}

/** The synth-time warnings about deploying an IndependentRds safely. */
export function addDeploySafetyWarnings(db: IConstruct, s: RdsSettings): void {
  if (s.production) Aspects.of(db).add(new TerminationProtectionCheck(db));
  if (s.allowMajorVersionUpgrade) {
    const mysqlReplicas = s.readReplicas > 0 && (s.engine.family === DatabaseEngineFamily.MYSQL || s.engine.family === DatabaseEngineFamily.MARIADB);
    Annotations.of(db).addWarningV2(MAJOR_UPGRADE_WARNING,
      `IndependentRds: allowMajorVersionUpgrade is on (engine ${s.engine}): a change of engine major version upgrades the deployed database in place, `
      + 'and it cannot be undone. Take a snapshot first and test the upgrade on a restored copy; turn allowMajorVersionUpgrade off after the upgrade, '
      + 'so that a later accidental change of major version is caught.'
      + (mysqlReplicas
        ? ` RDS upgrades ${s.engine.family} read replicas before their source, which CloudFormation cannot order: deploy the upgrade with readReplicas: 0 and add them back afterwards.`
        : ''));
  }
}
