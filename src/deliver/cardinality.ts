import type { Attributes } from '@opentelemetry/api';

/**
 * Series (distinct attribute sets) kept per metric, the overflow series included: what comes after
 * is counted in the one series marked `otel.metric.overflow=true` (the OpenTelemetry SDK's own
 * default and marker). The same limit holds for the SDK's instruments, the hand-kept histograms
 * and the exit-path snapshot. See docs/delivery.md.
 */
export const CARDINALITY_LIMIT = 2000;

/** The attributes of the overflow series. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });
