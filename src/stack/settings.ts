import { UsageError } from '../errors.js';
import { FUNCTION_MEMORY_MB } from './spec.js';

/**
 * The settings that change the template (tap.config.json, and deploy's --alert-email): they reach
 * the stack as synth-time props and are part of the synth cache's key. Their bounds are checked
 * when the file is loaded (tap.config.schema.json: exit 2 before any call); `--alert-email` is
 * checked as it is parsed.
 */

/** Alarm thresholds (alarm-spec.ts says what each one watches). */
export interface Thresholds {
  /** Share of API requests answered 5xx in 5 minutes, in percent. @default 5 */
  readonly api5xxPercent: number;
  /** API p99 latency over 5 minutes, in milliseconds. @default 3000 */
  readonly apiP99LatencyMs: number;
  /** Handler errors in 5 minutes. @default 1 */
  readonly handlerErrors: number;
  /** Processor errors in 5 minutes. @default 1 */
  readonly processorErrors: number;
  /** Processor throttles in 5 minutes. @default 1 */
  readonly processorThrottles: number;
  /** The rule's failed invocations in 5 minutes. @default 1 */
  readonly ruleFailedInvocations: number;
  /** Events Lambda's async queue dropped in 5 minutes. @default 1 */
  readonly asyncEventsDropped: number;
  /** Messages in the DLQ. @default 1 (any message) */
  readonly dlqMessages: number;
  /** Age of the oldest DLQ message, in seconds. @default 86400 (a day) */
  readonly dlqOldestMessageAgeSeconds: number;
}

export interface StackSettings {
  /** Subscribed to the alerts topic by e-mail (AWS asks each address to confirm). @default none */
  readonly alertEmails: readonly string[];
  readonly thresholds: Thresholds;
  /** Retention of every log group of the env, in days (a value CloudWatch Logs allows). @default 30 */
  readonly logRetentionDays: number;
  /** @default 256 */
  readonly processorMemoryMb: number;
  /** @default 30 */
  readonly processorTimeoutSeconds: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  api5xxPercent: 5,
  apiP99LatencyMs: 3000,
  handlerErrors: 1,
  processorErrors: 1,
  processorThrottles: 1,
  ruleFailedInvocations: 1,
  asyncEventsDropped: 1,
  dlqMessages: 1,
  dlqOldestMessageAgeSeconds: 86_400,
};

export const DEFAULT_SETTINGS: StackSettings = {
  alertEmails: [],
  thresholds: DEFAULT_THRESHOLDS,
  logRetentionDays: 30,
  processorMemoryMb: FUNCTION_MEMORY_MB,
  processorTimeoutSeconds: 30,
};

/** What the stack is given of an env's settings (tap.config.json's, as plain values). */
export interface StackInput {
  readonly alertEmails?: readonly string[];
  readonly alarms?: Partial<Thresholds>;
  readonly logRetentionDays?: number;
  readonly processor?: { readonly memoryMb?: number; readonly timeoutSeconds?: number };
}

/** The env's stack settings: the given values over the defaults, `--alert-email` (when given) in place of the file's addresses. */
export function stackSettings(settings: StackInput, alertEmails?: readonly string[]): StackSettings {
  return {
    alertEmails: [...new Set(alertEmails?.length ? alertEmails : (settings.alertEmails ?? []))],
    thresholds: { ...DEFAULT_THRESHOLDS, ...settings.alarms },
    logRetentionDays: settings.logRetentionDays ?? DEFAULT_SETTINGS.logRetentionDays,
    processorMemoryMb: settings.processor?.memoryMb ?? DEFAULT_SETTINGS.processorMemoryMb,
    processorTimeoutSeconds: settings.processor?.timeoutSeconds ?? DEFAULT_SETTINGS.processorTimeoutSeconds,
  };
}

/** An e-mail address as SNS takes it for an `email` subscription: one address, no display name. */
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Throws a UsageError unless `text` is one plain e-mail address. */
export function checkEmail(text: string, flag: string): void {
  if (!EMAIL.test(text) || text.length > 254) throw new UsageError(`invalid ${flag} '${text}': expected one e-mail address, e.g. oncall@example.com`);
}
