import { App } from 'aws-cdk-lib';
import { buildAwsApp } from './fixture-aws';
import { BeanstalkDatabaseBinding, IndependentRds } from '../src/aws';

/** `n` databases with the library: an IndependentRds (defaults) bound with a BeanstalkDatabaseBinding. */
export function libraryAws(outdir: string, n: number): App {
  return buildAwsApp(outdir, n, ({ stack, vpc, environment, instanceRole }) => {
    const database = new IndependentRds(stack, 'Database', { vpc });
    new BeanstalkDatabaseBinding(stack, 'DatabaseBinding', { database, environment, instanceRole, vpc });
  });
}
