import { aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager, aws_ssm as ssm } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { grantSecretRead } from './secret-grant';
import { DatabaseConnectionDetails } from '../../core/connection-details';
import { SslMode } from '../../core/ssl-mode';
import { IBindableDatabase } from '../bindable-database';

/** One published value: the literal, or the name of the parameter that holds it. */
export interface PublishedValue {
  readonly literal?: string;
  readonly parameterName?: string;
}

/** What DatabaseConnectionParameters hands to the reading side. */
export interface PublishedDatabaseProps {
  /** host, databaseName, username, secretArn, and readerHost and secretKeyArn when there are. */
  readonly values: { readonly [field: string]: PublishedValue };
  readonly securityGroups: PublishedValue[];
  readonly port: number;
  readonly sslMode?: SslMode;
  /** True when the published secret ARN is a complete one (with the random suffix). */
  readonly fullSecretArn: boolean;
  readonly isMasterUser?: boolean;
  /** The published database's preset, when it has one (read by the Beanstalk binding's warning). */
  readonly preset?: unknown;
}

/**
 * A database published with DatabaseConnectionParameters, seen from another stack: every value is
 * either a literal or a CloudFormation parameter of that stack read from Parameter Store at
 * deployment, never a reference to the database's stack.
 */
export class PublishedDatabase extends Construct implements IBindableDatabase {
  public readonly connectionDetails: DatabaseConnectionDetails;
  public readonly secret: secretsmanager.ISecret;
  public readonly connections: ec2.Connections;
  public readonly isMasterUser?: boolean;
  public readonly preset?: unknown;

  constructor(scope: Construct, id: string, props: PublishedDatabaseProps) {
    super(scope, id);
    const read = (value: PublishedValue): string => value.literal ?? ssm.StringParameter.valueForStringParameter(this, value.parameterName!);
    const v = props.values;
    this.isMasterUser = props.isMasterUser;
    this.preset = props.preset;
    this.connectionDetails = {
      host: read(v.host),
      port: props.port,
      databaseName: read(v.databaseName),
      username: read(v.username),
      sslMode: props.sslMode,
      readerHost: v.readerHost ? read(v.readerHost) : undefined,
    };
    const secretArn = read(v.secretArn);
    const encryptionKey = v.secretKeyArn ? kms.Key.fromKeyArn(this, 'SecretKey', read(v.secretKeyArn)) : undefined;
    this.secret = secretsmanager.Secret.fromSecretAttributes(this, 'Secret', props.fullSecretArn
      ? { secretCompleteArn: secretArn, encryptionKey }
      : { secretPartialArn: secretArn, encryptionKey });
    const groups = props.securityGroups.map((sg, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i + 1}`, read(sg), { allowAllOutbound: false }));
    this.connections = new ec2.Connections({ securityGroups: groups, defaultPort: ec2.Port.tcp(props.port) });
  }

  public grantSecretRead(grantee: iam.IGrantable): iam.Grant {
    return grantSecretRead(this.secret, grantee);
  }
}
