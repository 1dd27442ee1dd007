// Package tfevents writes and reads TensorBoard event files natively, without
// TensorFlow: scalars and histograms, which is what `tensorboard --logdir`
// shows on its Scalars, Histograms and Distributions tabs.
//
// An event file is a sequence of records. Each record is
//
//	uint64 length (little-endian)
//	uint32 masked CRC-32C of the 8 length bytes
//	length bytes of data: one Event protocol buffer
//	uint32 masked CRC-32C of the data
//
// where CRC-32C uses the Castagnoli polynomial and the mask is
// ((crc >> 15) | (crc << 17)) + 0xa282ead8. The first event of a file holds
// the file version "brain.Event:2". The protocol buffers are encoded with
// google.golang.org/protobuf/encoding/protowire from the field numbers of
// TensorFlow's event.proto and summary.proto:
//
//	Event{wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary}
//	Summary{value=1 repeated Value}
//	Summary.Value{tag=1 string, simple_value=2 float, histo=5 HistogramProto}
//	HistogramProto{min=1, max=2, num=3, sum=4, sum_squares=5 double,
//	               bucket_limit=6, bucket=7 packed repeated double}
//
// Writer appends events to a file named events.out.tfevents.<unix seconds>.<host>;
// Reader reads them back and checks every record's two checksums.
package tfevents
