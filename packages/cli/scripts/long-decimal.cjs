// The `long` package as the bundled protobufjs sees it, with a faster decimal toString. etcd3 asks
// protobufjs for int64 fields as strings: four per key-value (revisions, version, lease), 40,000
// conversions to list 10,000 units, each a loop of 64-bit divisions in long's own toString.
// Values within ±2^53 (revisions, versions) are exact as doubles; the others (lease ids) go
// through BigInt. Other radixes take long's own path.
'use strict';
const Long = require('long');

const original = Long.prototype.toString;
const TWO_32 = 4294967296;
const SAFE_HIGH = 0x200000; // |high| < 2^21 ⇒ |value| < 2^53

Long.prototype.toString = function toString(radix) {
  if (radix !== undefined && radix !== 10) return original.call(this, radix);
  const high = this.unsigned ? this.high >>> 0 : this.high;
  if (high < SAFE_HIGH && high >= -SAFE_HIGH) return String(high * TWO_32 + (this.low >>> 0));
  const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0);
  return (this.unsigned ? bits : BigInt.asIntN(64, bits)).toString();
};

module.exports = Long;
