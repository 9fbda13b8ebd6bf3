import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IncomingMessage } from 'node:http';
import { Server, Socket } from 'node:net';

/**
 * How long after the shutdown signal the listener may stay open to be drained: R13 allows 10 s
 * to exit, and the requests taken in still need answering after it closes.
 */
export const LISTENER_DRAIN_BUDGET_MS = 7000;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Resolves in the check phase of the event loop's next turn, after that turn's poll phase. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a drain took in: connections accepted meanwhile, and those still without a request when it ended. */
export interface DrainResult {
  accepted: number;
  unread: number;
}

/**
 * Keeps, for an HTTP server, the connections it has accepted whose first request has not begun.
 * Closing the server would lose two kinds of request a client has sent in full: those whose
 * connection still waits in the listener's accept queue (the kernel resets them when the
 * listening socket closes), and those on a connection accepted but not yet read (a closing
 * server ends connections with no request in progress as idle; the unread bytes make that a
 * reset too). `drain()` waits until there are neither (R13).
 */
export class ListenerDrain {
  private readonly unread = new Set<Socket>();
  private accepted = 0;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.accepted += 1;
      this.unread.add(socket);
      socket.once('close', () => this.unread.delete(socket));
    });
    server.on('request', (request: IncomingMessage) => this.unread.delete(request.socket));
  }

  /**
   * Resolves once a whole turn of the event loop accepted no connection (libuv's poll phase
   * accepts every connection the kernel holds for the listener, so the queue was empty at that
   * poll) and every accepted connection has begun its request or closed; or at `deadline`
   * (epoch ms). A process short of CPU accepts one connection per turn of its event loop, so a
   * queue of hundreds can take seconds.
   */
  async drain(deadline = Date.now() + LISTENER_DRAIN_BUDGET_MS): Promise<DrainResult> {
    const start = this.accepted;
    // An immediate set now may run before this turn's poll phase: start from the next turn.
    await nextTurn();
    for (;;) {
      const before = this.accepted;
      // An immediate set in the check phase runs in the next turn's: a poll phase lies between.
      await nextTurn();
      const settled = this.accepted === before && this.unread.size === 0;
      if (settled || Date.now() >= deadline) return { accepted: this.accepted - start, unread: this.unread.size };
    }
  }
}

/**
 * R13: in a process with the public listener, the last step before Nest closes it (after the
 * relay and the projector have stopped, with readiness answering "shutting down" and every
 * answer closing its connection) is to take in and start reading what has already reached it,
 * so no request a client has sent in full is reset. Each is then answered as any other.
 */
@Injectable()
export class AcceptQueueDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AcceptQueueDrain.name);
  private listener?: ListenerDrain;
  /** When the shutdown signal came (the drain's budget runs from it), if one did. */
  private signalledAt?: number;
  private readonly onSignal = () => {
    this.signalledAt ??= Date.now();
    this.forgetSignals();
  };

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server) this.listener = new ListenerDrain(server);
    // Beside Nest's own handlers (enableShutdownHooks), which start the shutdown.
    for (const signal of SIGNALS) process.on(signal, this.onSignal);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.forgetSignals();
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!this.listener || !server?.listening) return;
    const startedAt = Date.now();
    const since = this.signalledAt ?? startedAt; // app.close() without a signal: from now
    const { accepted, unread } = await this.listener.drain(since + LISTENER_DRAIN_BUDGET_MS);
    this.logger.log(`listener drained in ${Date.now() - startedAt} ms (${Date.now() - since} ms after the shutdown began): ${accepted} connections taken in, ${unread} still unread`);
  }

  private forgetSignals(): void {
    for (const signal of SIGNALS) process.off(signal, this.onSignal);
  }
}
