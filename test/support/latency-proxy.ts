/**
 * A small TCP proxy on 127.0.0.1 for fault tests: it forwards a client's connections to a server
 * on 127.0.0.1 and can delay the traffic (both directions, order preserved) or cut every
 * connection. Loopback only, and bounded: a delay is at most 5 s.
 * @module
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const HOST = '127.0.0.1';
const MAX_DELAY_MS = 5000;

export class LatencyProxy {
  #server: Server | undefined;
  #delayMs = 0;
  readonly #sockets = new Set<Socket>();
  /** Connections cut by {@link LatencyProxy.cut} so far. */
  cuts = 0;
  /** Chunks that were held back by a delay. */
  delayedChunks = 0;

  private constructor(readonly targetPort: number) {}

  /** Starts a proxy to `127.0.0.1:targetPort` on a free loopback port. */
  static async start(targetPort: number): Promise<LatencyProxy> {
    const proxy = new LatencyProxy(targetPort);
    await proxy.#listen();
    return proxy;
  }

  /** The port clients connect to. */
  get port(): number {
    const address = this.#server?.address();
    if (!address || typeof address === 'string') throw new Error('proxy not listening');
    return address.port;
  }

  /** Delays every chunk sent from now on by `ms` (0: no delay). */
  setDelay(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS) {
      throw new Error(`delay must be an integer from 0 to ${MAX_DELAY_MS} ms`);
    }
    this.#delayMs = ms;
  }

  /** Destroys every open connection (both sides), as a network failure would. */
  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.cuts += 1;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => (this.#server ? this.#server.close(() => done()) : done()));
  }

  #listen(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = createConnection({ host: HOST, port: this.targetPort });
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
        socket.on('error', () => undefined); // a cut or a reset: 'close' follows
      }
      this.#forward(client, upstream);
      this.#forward(upstream, client);
    });
    return new Promise((done, fail) => {
      this.#server!.once('error', fail);
      this.#server!.listen(0, HOST, () => done());
    });
  }

  /** Pipes `from` into `to`, each chunk no earlier than the delay and never before the previous one. */
  #forward(from: Socket, to: Socket): void {
    let last = 0;
    from.on('data', (chunk: Buffer) => {
      const delay = this.#delayMs;
      if (delay === 0 && last <= Date.now()) {
        to.write(chunk);
        return;
      }
      this.delayedChunks += 1;
      const at = Math.max(Date.now() + delay, last);
      last = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
  }
}
