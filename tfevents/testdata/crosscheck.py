"""Reads an event file with the protobuf library and prints it as JSON lines.

    crosscheck.py GENERATED_DIR EVENT_FILE

GENERATED_DIR holds tb_pb2.py made by `protoc --python_out` from tb.proto.
Each record's CRCs are checked with a bitwise CRC-32C written from its
definition, and each event must re-serialise to the very bytes it was read
from.
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
import tb_pb2  # noqa: E402


def crc32c(b):
    c = 0xFFFFFFFF
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def masked(b):
    c = crc32c(b)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


data = open(sys.argv[2], "rb").read()
off = 0
while off < len(data):
    (n,) = struct.unpack_from("<Q", data, off)
    (lcrc,) = struct.unpack_from("<I", data, off + 8)
    if lcrc != masked(data[off:off + 8]):
        sys.exit("record at %d: length CRC" % off)
    body = data[off + 12:off + 12 + n]
    (dcrc,) = struct.unpack_from("<I", data, off + 12 + n)
    if dcrc != masked(body):
        sys.exit("record at %d: data CRC" % off)
    e = tb_pb2.Event()
    e.ParseFromString(body)
    if e.SerializeToString() != body:
        sys.exit("record at %d: protobuf re-serialises to other bytes" % off)
    out = {"wall_time": e.wall_time, "step": e.step, "file_version": e.file_version, "values": []}
    for v in e.summary.value:
        if v.WhichOneof("value") == "histo":
            h = v.histo
            out["values"].append({"tag": v.tag, "num": h.num, "min": h.min, "max": h.max, "sum": h.sum,
                                  "sum_squares": h.sum_squares, "bucket_limit": list(h.bucket_limit),
                                  "bucket": list(h.bucket)})
        else:
            out["values"].append({"tag": v.tag, "simple_value": v.simple_value})
    print(json.dumps(out))
    off += 16 + n
