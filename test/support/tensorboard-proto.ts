/**
 * An independent reading of TensorBoard's Event protocol buffers, with protobufjs and the .proto
 * definitions written out here, so that the library's encoder is not checked only by its own decoder.
 */
import protobuf from 'protobufjs';
import type { TensorBoardEvent } from 'ts-gan';

/** TensorBoard's event.proto and summary.proto, the fields this library writes and one it skips (tensor). */
const PROTO = `
syntax = "proto3";
package tensorboard;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
    SessionLog session_log = 7;
  }
}
message SessionLog {
  enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1;
}
message TensorProto { int32 dtype = 1; repeated float float_val = 5 [packed = true]; }
message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Value {
    string tag = 1;
    oneof value {
      float simple_value = 2;
      Image image = 4;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}
`;
export const Event = protobuf.parse(PROTO).root.lookupType('tensorboard.Event');

/** What protobufjs reads from an Event's bytes, in this library's shape. */
export function decodeIndependently(bytes: Uint8Array): TensorBoardEvent {
  const o = Event.toObject(Event.decode(bytes), { longs: Number, enums: String, defaults: true, oneofs: true }) as {
    wallTime: number;
    step: number;
    fileVersion?: string;
    summary?: {
      value: {
        tag: string;
        simpleValue?: number;
        image?: { height: number; width: number; colorspace: number; encodedImageString: Uint8Array };
      }[];
    };
    sessionLog?: { status: string };
  };
  const event: TensorBoardEvent = { wallTime: o.wallTime, step: o.step };
  if (o.fileVersion !== undefined) event.fileVersion = o.fileVersion;
  if (o.sessionLog) event.sessionLog = { status: o.sessionLog.status === 'START' ? 'start' : 'unspecified' };
  if (o.summary) {
    event.summary = o.summary.value.map((v) => ({
      tag: v.tag,
      ...(v.simpleValue === undefined ? {} : { simpleValue: v.simpleValue }),
      ...(v.image === undefined
        ? {}
        : {
            image: {
              height: v.image.height,
              width: v.image.width,
              colorspace: v.image.colorspace,
              encoded: new Uint8Array(v.image.encodedImageString),
            },
          }),
    }));
  }
  return event;
}
