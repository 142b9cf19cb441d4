// The unit the delivery layer moves: one serialised request body. Kept apart from encode.ts (the
// OpenTelemetry serializers) so delivery, the exit sender and the short-run exit path can load
// without them.

/** One request body, ready to send. */
export interface Encoded {
  /** OTLP JSON request body: what inspect prints and what the disk queue stores. */
  readonly json: Uint8Array;
  /** The protobuf encoding, built only when the protocol asks for it. */
  readonly protobuf?: () => Uint8Array | undefined;
  /** How many spans or data points it carries (what a drop loses). */
  readonly items: number;
}
