import { alarmsCheck } from './alarms.js';
import { apiCheck } from './api.js';
import { apiTracingCheck } from './api-tracing.js';
import { archiveCheck } from './archive.js';
import { canaryDeliveryCheck } from './canary-delivery.js';
import { canaryTraceCheck } from './canary-trace.js';
import type { Check } from './check.js';
import { dlqCheck } from './dlq.js';
import { driftCheck } from './drift.js';
import { eventBusCheck } from './event-bus.js';
import { lambdaConfigCheck } from './lambda-config.js';
import { ruleCheck } from './rule.js';
import { stackCheck } from './stack.js';
import { xrayGroupCheck } from './xray-group.js';

/** Every check of `tap verify`, in the order results are shown. */
export const CHECKS: readonly Check[] = [
  stackCheck,
  apiCheck,
  lambdaConfigCheck,
  apiTracingCheck,
  xrayGroupCheck,
  eventBusCheck,
  archiveCheck,
  ruleCheck,
  dlqCheck,
  alarmsCheck,
  canaryDeliveryCheck,
  canaryTraceCheck,
  driftCheck,
];
