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
    return `${stackName}-${logicalId}`.slice(0, 60);
  }

  /** A change to a naming property replaces the resource, as it does in AWS. */
  replaces(before: TemplateResource, after: TemplateResource): boolean {
    const prop = NAME_PROPERTY[after.Type];
    return before.Type !== after.Type || (prop !== undefined && JSON.stringify(before.Properties?.[prop]) !== JSON.stringify(after.Properties?.[prop]));
  }

  resolve(value: unknown, resources: Map<string, { physicalId: string; type: string }>): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, resources));
    if (value === null || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return this.ref(String(o.Ref), resources);
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const r = resources.get(id);
      return attr === 'Arn' ? `arn:aws:${r?.type.split('::')[1]?.toLowerCase()}:${this.region}:${this.account}:${r?.physicalId}` : `${r?.physicalId}.${attr}`;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => this.resolve(p, resources)).join(sep);
    }
    if ('Fn::Sub' in o) {
      const text = Array.isArray(o['Fn::Sub']) ? String(o['Fn::Sub'][0]) : String(o['Fn::Sub']);
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(this.ref(name, resources)));
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v, resources)]));
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
    return r.physicalId;
  }
}
