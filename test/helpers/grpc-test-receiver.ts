import * as grpc from '@grpc/grpc-js';
import { decodeMetricsRequest, decodeTraceRequest } from '../../src/receiver/otlp-proto-schema.js';

export interface GrpcReceived {
  readonly signal: 'traces' | 'metrics';
  readonly metadata: Record<string, unknown>;
  /** The request decoded into OTLP JSON form. */
  readonly json: any;
}

const raw = (b: Buffer) => b;
const method = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw });

/**
 * An OTLP/gRPC collector made with @grpc/grpc-js (a real gRPC server, not ours): the trace and
 * metrics Export methods, recording each request; `status` makes every call fail with that code.
 */
export class GrpcTestReceiver {
  readonly received: GrpcReceived[] = [];
  status: grpc.status | undefined;
  private constructor(private readonly server: grpc.Server, readonly port: number, private readonly scheme: string) {}

  static async start(credentials = grpc.ServerCredentials.createInsecure(), scheme = 'http'): Promise<GrpcTestReceiver> {
    const server = new grpc.Server();
    let self: GrpcTestReceiver | undefined;
    const handler = (signal: 'traces' | 'metrics', decode: (b: Buffer) => any) => (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      if (self!.status !== undefined) return cb({ code: self!.status, details: 'test' }, null);
      self!.received.push({ signal, metadata: call.metadata.getMap(), json: decode(call.request) });
      cb(null, Buffer.alloc(0));
    };
    server.addService({ Export: method('/opentelemetry.proto.collector.trace.v1.TraceService/Export') } as any, { Export: handler('traces', decodeTraceRequest) });
    server.addService({ Export: method('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export') } as any, { Export: handler('metrics', decodeMetricsRequest) });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? reject(e) : resolve(p))));
    self = new GrpcTestReceiver(server, port, scheme);
    return self;
  }

  get endpoint(): string {
    return `${this.scheme}://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
