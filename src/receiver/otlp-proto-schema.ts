// Field numbers of the OTLP trace, metrics and logs messages, from opentelemetry-proto
// (opentelemetry/proto/{common,resource,trace,metrics,logs}/v1/*.proto and collector/*/v1/*_service.proto).
// Only what the receiver stores; unknown fields (e.g. newer additions) are skipped by the decoder.

import { decodeMessage, type JsonObject, type Schema } from './protobuf-schema-decoder.js';

const R = 'repeated' as const;

export const OTLP_SCHEMA: Schema = {
  // common/v1
  AnyValue: {
    1: ['stringValue', 'string'],
    2: ['boolValue', 'bool'],
    3: ['intValue', 'int64'],
    4: ['doubleValue', 'double'],
    5: ['arrayValue', 'ArrayValue'],
    6: ['kvlistValue', 'KeyValueList'],
    7: ['bytesValue', 'base64'],
  },
  ArrayValue: { 1: ['values', 'AnyValue', R] },
  KeyValueList: { 1: ['values', 'KeyValue', R] },
  KeyValue: { 1: ['key', 'string'], 2: ['value', 'AnyValue'] },
  InstrumentationScope: {
    1: ['name', 'string'],
    2: ['version', 'string'],
    3: ['attributes', 'KeyValue', R],
    4: ['droppedAttributesCount', 'uint32'],
  },
  // resource/v1
  Resource: { 1: ['attributes', 'KeyValue', R], 2: ['droppedAttributesCount', 'uint32'] },

  // collector/trace/v1 + trace/v1
  ExportTraceServiceRequest: { 1: ['resourceSpans', 'ResourceSpans', R] },
  ResourceSpans: { 1: ['resource', 'Resource'], 2: ['scopeSpans', 'ScopeSpans', R], 3: ['schemaUrl', 'string'] },
  ScopeSpans: { 1: ['scope', 'InstrumentationScope'], 2: ['spans', 'Span', R], 3: ['schemaUrl', 'string'] },
  Span: {
    1: ['traceId', 'hex'],
    2: ['spanId', 'hex'],
    3: ['traceState', 'string'],
    4: ['parentSpanId', 'hex'],
    5: ['name', 'string'],
    6: ['kind', 'enum'],
    7: ['startTimeUnixNano', 'fixed64'],
    8: ['endTimeUnixNano', 'fixed64'],
    9: ['attributes', 'KeyValue', R],
    10: ['droppedAttributesCount', 'uint32'],
    11: ['events', 'Event', R],
    12: ['droppedEventsCount', 'uint32'],
    13: ['links', 'Link', R],
    14: ['droppedLinksCount', 'uint32'],
    15: ['status', 'Status'],
    16: ['flags', 'fixed32'],
  },
  Event: {
    1: ['timeUnixNano', 'fixed64'],
    2: ['name', 'string'],
    3: ['attributes', 'KeyValue', R],
    4: ['droppedAttributesCount', 'uint32'],
  },
  Link: {
    1: ['traceId', 'hex'],
    2: ['spanId', 'hex'],
    3: ['traceState', 'string'],
    4: ['attributes', 'KeyValue', R],
    5: ['droppedAttributesCount', 'uint32'],
    6: ['flags', 'fixed32'],
  },
  // Field 1 is reserved (the old deprecated_code).
  Status: { 2: ['message', 'string'], 3: ['code', 'enum'] },

  // collector/metrics/v1 + metrics/v1
  ExportMetricsServiceRequest: { 1: ['resourceMetrics', 'ResourceMetrics', R] },
  ResourceMetrics: { 1: ['resource', 'Resource'], 2: ['scopeMetrics', 'ScopeMetrics', R], 3: ['schemaUrl', 'string'] },
  ScopeMetrics: { 1: ['scope', 'InstrumentationScope'], 2: ['metrics', 'Metric', R], 3: ['schemaUrl', 'string'] },
  Metric: {
    1: ['name', 'string'],
    2: ['description', 'string'],
    3: ['unit', 'string'],
    5: ['gauge', 'Gauge'],
    7: ['sum', 'Sum'],
    9: ['histogram', 'Histogram'],
    10: ['exponentialHistogram', 'ExponentialHistogram'],
    11: ['summary', 'Summary'],
    12: ['metadata', 'KeyValue', R],
  },
  Gauge: { 1: ['dataPoints', 'NumberDataPoint', R] },
  Sum: {
    1: ['dataPoints', 'NumberDataPoint', R],
    2: ['aggregationTemporality', 'enum'],
    3: ['isMonotonic', 'bool'],
  },
  Histogram: { 1: ['dataPoints', 'HistogramDataPoint', R], 2: ['aggregationTemporality', 'enum'] },
  ExponentialHistogram: {
    1: ['dataPoints', 'ExponentialHistogramDataPoint', R],
    2: ['aggregationTemporality', 'enum'],
  },
  Summary: { 1: ['dataPoints', 'SummaryDataPoint', R] },
  NumberDataPoint: {
    7: ['attributes', 'KeyValue', R],
    2: ['startTimeUnixNano', 'fixed64'],
    3: ['timeUnixNano', 'fixed64'],
    4: ['asDouble', 'double'],
    6: ['asInt', 'sfixed64'],
    5: ['exemplars', 'Exemplar', R],
    8: ['flags', 'uint32'],
  },
  HistogramDataPoint: {
    9: ['attributes', 'KeyValue', R],
    2: ['startTimeUnixNano', 'fixed64'],
    3: ['timeUnixNano', 'fixed64'],
    4: ['count', 'fixed64'],
    5: ['sum', 'double'],
    6: ['bucketCounts', 'fixed64', R],
    7: ['explicitBounds', 'double', R],
    8: ['exemplars', 'Exemplar', R],
    10: ['flags', 'uint32'],
    11: ['min', 'double'],
    12: ['max', 'double'],
  },
  ExponentialHistogramDataPoint: {
    1: ['attributes', 'KeyValue', R],
    2: ['startTimeUnixNano', 'fixed64'],
    3: ['timeUnixNano', 'fixed64'],
    4: ['count', 'fixed64'],
    5: ['sum', 'double'],
    6: ['scale', 'sint32'],
    7: ['zeroCount', 'fixed64'],
    8: ['positive', 'ExponentialBuckets'],
    9: ['negative', 'ExponentialBuckets'],
    10: ['flags', 'uint32'],
    11: ['exemplars', 'Exemplar', R],
    12: ['min', 'double'],
    13: ['max', 'double'],
    14: ['zeroThreshold', 'double'],
  },
  ExponentialBuckets: { 1: ['offset', 'sint32'], 2: ['bucketCounts', 'uint64', R] },
  SummaryDataPoint: {
    7: ['attributes', 'KeyValue', R],
    2: ['startTimeUnixNano', 'fixed64'],
    3: ['timeUnixNano', 'fixed64'],
    4: ['count', 'fixed64'],
    5: ['sum', 'double'],
    6: ['quantileValues', 'ValueAtQuantile', R],
    8: ['flags', 'uint32'],
  },
  ValueAtQuantile: { 1: ['quantile', 'double'], 2: ['value', 'double'] },
  Exemplar: {
    7: ['filteredAttributes', 'KeyValue', R],
    2: ['timeUnixNano', 'fixed64'],
    3: ['asDouble', 'double'],
    6: ['asInt', 'sfixed64'],
    4: ['spanId', 'hex'],
    5: ['traceId', 'hex'],
  },

  // collector/logs/v1 + logs/v1 (LogRecord field 4 is reserved)
  ExportLogsServiceRequest: { 1: ['resourceLogs', 'ResourceLogs', R] },
  ResourceLogs: { 1: ['resource', 'Resource'], 2: ['scopeLogs', 'ScopeLogs', R], 3: ['schemaUrl', 'string'] },
  ScopeLogs: { 1: ['scope', 'InstrumentationScope'], 2: ['logRecords', 'LogRecord', R], 3: ['schemaUrl', 'string'] },
  LogRecord: {
    1: ['timeUnixNano', 'fixed64'],
    11: ['observedTimeUnixNano', 'fixed64'],
    2: ['severityNumber', 'enum'],
    3: ['severityText', 'string'],
    5: ['body', 'AnyValue'],
    6: ['attributes', 'KeyValue', R],
    7: ['droppedAttributesCount', 'uint32'],
    8: ['flags', 'fixed32'],
    9: ['traceId', 'hex'],
    10: ['spanId', 'hex'],
    12: ['eventName', 'string'],
  },
};

export function decodeLogsRequest(bytes: Uint8Array): JsonObject {
  return decodeMessage(OTLP_SCHEMA, 'ExportLogsServiceRequest', bytes);
}

export function decodeTraceRequest(bytes: Uint8Array): JsonObject {
  return decodeMessage(OTLP_SCHEMA, 'ExportTraceServiceRequest', bytes);
}

export function decodeMetricsRequest(bytes: Uint8Array): JsonObject {
  return decodeMessage(OTLP_SCHEMA, 'ExportMetricsServiceRequest', bytes);
}
