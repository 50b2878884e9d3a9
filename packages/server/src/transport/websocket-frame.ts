/**
 * A WebSocket text frame as a server sends it (RFC 6455, section 5.2): FIN
 * and opcode 1, no mask, the payload length in 7, 7+16 or 7+64 bits. The
 * same bytes go to every member a frame is broadcast to.
 */
export function textFrame(payload: Uint8Array): Uint8Array {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = new Uint8Array(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(length));
  }
  frame.set(payload, headerLength);
  return frame;
}
