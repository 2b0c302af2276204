import { createHash } from 'node:crypto';

/** A resource as the template declares it. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** What other fake services do when CloudFormation creates or deletes one of their resources. */
export interface ResourceHooks {
  create(resource: { type: string; physicalId: string; properties: unknown }): void;
  /** Throws (with AWS's message) when the service refuses, e.g. a bucket that is not empty. */
  delete(resource: { type: string; physicalId: string }): void;
  /** The reason the service refuses to create or update a resource (properties resolved), if it does. */
  refuse?(resource: { type: string; properties: unknown }): string | undefined;
}

/** The property that names a resource, for the types tap's stack names explicitly. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Archive': 'ArchiveName',
  'AWS::Events::Rule': 'Name',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::ApiGateway::Stage': 'StageName',
  'AWS::XRay::Group': 'GroupName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
};

/**
 * Resolves the intrinsic functions tap's template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Sub and the
 * pseudo parameters) well enough to give resources their physical names and stacks their outputs.
 */
export class Resolver {
  constructor(
    private readonly region: string,
    private readonly account: string,
  ) {}

  physicalId(logicalId: string, r: TemplateResource, resources: Map<string, { physicalId: string; type: string }>, stackName: string): string {
    const prop = NAME_PROPERTY[r.Type];
    const named = prop ? r.Properties?.[prop] : undefined;
    if (named !== undefined) return String(this.resolve(named, resources));
    if (r.Type === 'AWS::KMS::Key') return `key-${logicalId.toLowerCase()}`;
    // API ids are 10 lowercase letters and digits (the first label of the execute-api host).
    if (r.Type === 'AWS::ApiGateway::RestApi') return createHash('sha256').update(`${stackName}/${logicalId}`).digest('hex').slice(0, 10);
    return `${stackName}-${logicalId}`.slice(0, 60);
  }

  /** A change to a naming property replaces the resource, as it does in AWS. */
  replaces(before: TemplateResource, after: TemplateResource): boolean {
    const prop = NAME_PROPERTY[after.Type];
    return before.Type !== after.Type || (prop !== undefined && JSON.stringify(before.Properties?.[prop]) !== JSON.stringify(after.Properties?.[prop]));
  }

  /** The ARN a resource's `Fn::GetAtt [id, Arn]` gives, in each service's format. */
  arn(type: string, physicalId: string): string {
    const [, service = '', kind = ''] = type.split('::');
    const at = `${this.region}:${this.account}`;
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${at}:function:${physicalId}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${at}:event-bus/${physicalId}`;
      case 'AWS::Events::Archive':
        return `arn:aws:events:${at}:archive/${physicalId}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${at}:rule/${physicalId}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${at}:log-group:${physicalId}:*`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${physicalId}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${this.account}:role/${physicalId}`;
      case 'AWS::SQS::Queue':
      case 'AWS::SNS::Topic':
        return `arn:aws:${service.toLowerCase()}:${at}:${physicalId}`;
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        return `arn:aws:cloudwatch:${at}:alarm:${physicalId}`;
      default:
        return `arn:aws:${service.toLowerCase()}:${at}:${kind.toLowerCase()}/${physicalId}`;
    }
  }

  resolve(value: unknown, resources: Map<string, { physicalId: string; type: string }>, mappings: Record<string, Record<string, Record<string, unknown>>> = {}): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, resources, mappings));
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return this.ref(String(o.Ref), resources);
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const r = resources.get(id);
      return attr === 'Arn' && r ? this.arn(r.type, r.physicalId) : `${r?.physicalId}.${attr}`;
    }
    if ('Fn::FindInMap' in o) {
      const [map, key, field] = (o['Fn::FindInMap'] as unknown[]).map((p) => String(this.resolve(p, resources, mappings)));
      return mappings[map ?? '']?.[key ?? '']?.[field ?? ''];
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => this.resolve(p, resources, mappings)).join(sep);
    }
    if ('Fn::Sub' in o) {
      const text = Array.isArray(o['Fn::Sub']) ? String(o['Fn::Sub'][0]) : String(o['Fn::Sub']);
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(this.ref(name, resources)));
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v, resources, mappings)]));
  }

  private ref(name: string, resources: Map<string, { physicalId: string; type: string }>): unknown {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.region,
      'AWS::AccountId': this.account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::Partition': 'aws',
    };
    if (name in pseudo) return pseudo[name];
    const r = resources.get(name);
    if (!r) return name;
    if (r.type === 'AWS::SQS::Queue') return `https://sqs.${this.region}.amazonaws.com/${this.account}/${r.physicalId}`;
    // A topic's Ref is its ARN (CloudFormation template reference, AWS::SNS::Topic "Return values").
    if (r.type === 'AWS::SNS::Topic') return this.arn(r.type, r.physicalId);
    return r.physicalId;
  }
}
