// Just enough of the X11 protocol to do what a window manager does when a
// window's close button is clicked: find the window by its title and send
// it WM_DELETE_WINDOW. Speaking the protocol over the display's socket keeps
// the test free of xdotool, wmctrl or a window manager under Xvfb.
import net from 'node:net';

/** A connection to an X display with the few requests the tests need. */
export class X11 {
  private buffer = Buffer.alloc(0);
  private waiting: { bytes: number; resolve: (b: Buffer) => void } | undefined;
  private sequence = 0;
  root = 0;

  private readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
  }

  /** Connects to display `:N` over its local socket (Xvfb lets local clients in). */
  static async open(display: string): Promise<X11> {
    const number = /^:(\d+)/.exec(display)?.[1];
    if (number === undefined) throw new Error(`not a local display: ${display}`);
    const socket = net.connect(`/tmp/.X11-unix/X${number}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const x = new X11(socket);
    // Setup: little-endian, protocol 11.0, no authorisation.
    const setup = Buffer.alloc(12);
    setup.write('l', 0);
    setup.writeUInt16LE(11, 2);
    socket.write(setup);
    const head = await x.read(8);
    if (head[0] !== 1) throw new Error('the X server refused the connection');
    const rest = await x.read(head.readUInt16LE(6) * 4);
    const vendorLength = rest.readUInt16LE(16);
    const formats = rest[21]!;
    x.root = rest.readUInt32LE(32 + pad(vendorLength) + 8 * formats);
    return x;
  }

  close(): void {
    this.socket.destroy();
  }

  /** Top-level windows on screen whose title includes `text`. */
  async windowsNamed(text: string): Promise<number[]> {
    const found: number[] = [];
    for (const window of await this.children(this.root)) {
      if ((await this.viewable(window)) && (await this.name(window)).includes(text))
        found.push(window);
    }
    return found;
  }

  /** Whether a window is mapped and shown (a toolkit keeps unmapped helper windows too). */
  async viewable(window: number): Promise<boolean> {
    const request = Buffer.alloc(8);
    request[0] = 3; // GetWindowAttributes
    request.writeUInt16LE(2, 2);
    request.writeUInt32LE(window, 4);
    return (await this.request(request))[26] === 2;
  }

  /** The title of a window (its WM_NAME, which GTK keeps in UTF-8). */
  async name(window: number): Promise<string> {
    const wmName = await this.atom('_NET_WM_NAME');
    for (const property of [wmName, 39 /* WM_NAME */]) {
      const request = Buffer.alloc(24);
      request[0] = 20; // GetProperty
      request.writeUInt16LE(6, 2);
      request.writeUInt32LE(window, 4);
      request.writeUInt32LE(property, 8);
      request.writeUInt32LE(0, 12); // any type
      request.writeUInt32LE(0, 16);
      request.writeUInt32LE(1024, 20);
      const reply = await this.request(request);
      const length = reply.readUInt32LE(16) * (reply[1]! / 8);
      if (length > 0) return reply.subarray(32, 32 + length).toString('utf8');
    }
    return '';
  }

  /** Asks a window to close, as its close button does. */
  async askToClose(window: number): Promise<void> {
    const protocols = await this.atom('WM_PROTOCOLS');
    const deleteWindow = await this.atom('WM_DELETE_WINDOW');
    const request = Buffer.alloc(44);
    request[0] = 25; // SendEvent
    request.writeUInt16LE(11, 2);
    request.writeUInt32LE(window, 4);
    request[12] = 33; // ClientMessage
    request[13] = 32; // format
    request.writeUInt32LE(window, 16);
    request.writeUInt32LE(protocols, 20);
    request.writeUInt32LE(deleteWindow, 24);
    this.socket.write(request);
    this.sequence++;
    // A round trip makes sure the event has been sent before this returns.
    await this.atom('WM_DELETE_WINDOW');
  }

  private async children(window: number): Promise<number[]> {
    const request = Buffer.alloc(8);
    request[0] = 15; // QueryTree
    request.writeUInt16LE(2, 2);
    request.writeUInt32LE(window, 4);
    const reply = await this.request(request);
    const count = reply.readUInt16LE(16);
    return Array.from({ length: count }, (_, i) => reply.readUInt32LE(32 + 4 * i));
  }

  private async atom(name: string): Promise<number> {
    const request = Buffer.alloc(8 + pad(name.length));
    request[0] = 16; // InternAtom
    request.writeUInt16LE(request.length / 4, 2);
    request.writeUInt16LE(name.length, 4);
    request.write(name, 8, 'latin1');
    return (await this.request(request)).readUInt32LE(8);
  }

  /** Sends a request and reads its reply, skipping events; an X error throws. */
  private async request(request: Buffer): Promise<Buffer> {
    this.socket.write(request);
    const sequence = ++this.sequence & 0xffff;
    for (;;) {
      const head = await this.read(32);
      if (head[0] === 0) throw new Error(`X error ${head[1]} for request ${request[0]}`);
      if (head[0] !== 1) continue; // an event
      const extra = await this.read(head.readUInt32LE(4) * 4);
      if (head.readUInt16LE(2) === sequence) return Buffer.concat([head, extra]);
    }
  }

  private read(bytes: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiting = { bytes, resolve };
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffer.length < this.waiting.bytes) return;
    const { bytes, resolve } = this.waiting;
    this.waiting = undefined;
    const out = this.buffer.subarray(0, bytes);
    this.buffer = this.buffer.subarray(bytes);
    resolve(out);
  }
}

function pad(n: number): number {
  return (n + 3) & ~3;
}
