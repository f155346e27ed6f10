import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { uniqueName, waitFor } from '../../../../support/kafka';
import { SubscriberBed } from '../subscriber-bed';

/** WebSocket sources against a WebSocket server (`ws`) the test starts. */
describe('subscriber: WebSocket sources', () => {
  const bed = new SubscriberBed('sub-ws');
  let server: WebSocketServer;
  let port: number;
  const subscriptions: string[] = [];
  const handshakes: Array<{ authorization?: string; protocol?: string }> = [];

  beforeAll(async () => {
    process.env.FLINT_SECRET_TICKER_TOKEN = 'ticker-token-value';
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    server.on('connection', (socket: WebSocket, request) => {
      handshakes.push({
        authorization: request.headers.authorization,
        protocol: socket.protocol,
      });
      socket.on('message', (data) => subscriptions.push(String(data)));
    });
    await bed.setUp();
  }, 120_000);
  afterAll(async () => {
    await bed.tearDown();
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }, 60_000);
  afterEach(() => bed.stopSubscriber(), 60_000);

  function broadcast(message: string): void {
    for (const client of server.clients) client.send(message);
  }

  function wsSource(id: string, channel: string) {
    return {
      id,
      provider: 'websocket',
      config: {
        url: `ws://127.0.0.1:${port}/ticker`,
        headers: { Authorization: { secretRef: 'ticker-token' } },
        subprotocols: ['ticker.v1'],
        subscribeMessage: { subscribe: channel },
        eventId: { field: 'trade' },
        pingIntervalMs: 1000,
        type: 'com.example.trade',
      },
    };
  }

  it('subscribes with its secret header and subprotocol, and starts a run per message', async () => {
    const channel = uniqueName('trades');
    const sourceId = uniqueName('ws-trades');
    const triggerId = await bed.define(wsSource(sourceId, channel));
    await bed.startSubscriber();
    await waitFor(() => subscriptions.includes(JSON.stringify({ subscribe: channel })), {
      description: 'the subscribe message',
    });
    expect(handshakes.at(-1)).toEqual({
      authorization: 'ticker-token-value',
      protocol: 'ticker.v1',
    });
    broadcast(JSON.stringify({ trade: `${channel}-1`, price: 10 }));

    const [run] = await bed.waitForSucceededRuns(triggerId, 1, 'the trade started a run');
    expect(run.input).toEqual({
      eventId: `${channel}-1`,
      type: 'com.example.trade',
      data: { trade: `${channel}-1`, price: 10 },
    });
  });

  it('sends a bad message to flint.dlq, and the next one still flows', async () => {
    const channel = uniqueName('trades');
    const sourceId = uniqueName('ws-bad-trades');
    const triggerId = await bed.define(wsSource(sourceId, channel));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    broadcast('price: ten');
    broadcast(JSON.stringify({ trade: `${channel}-2`, price: 11 }));

    const dead = await bed.waitForDeadLetter(sourceId);
    expect(dead.value?.toString()).toBe('price: ten');
    expect(dead.headers).toMatchObject({
      flint_dlq_reason: 'undecodable',
      flint_dlq_source_topic: 'websocket',
    });
    await bed.waitForSucceededRuns(triggerId, 1, 'the good trade after the bad one');
  });

  it('reconnects when the server drops it, subscribes again, and resumes', async () => {
    const channel = uniqueName('trades');
    const sourceId = uniqueName('ws-dropped-trades');
    const triggerId = await bed.define(wsSource(sourceId, channel));
    await bed.startSubscriber();
    await bed.waitForConnection(sourceId, 'up');
    const subscribed = () =>
      subscriptions.filter((s) => s === JSON.stringify({ subscribe: channel })).length;
    expect(subscribed()).toBe(1);

    for (const client of server.clients) client.terminate();
    await waitFor(() => subscribed() === 2, { description: 'the subscribe message sent again' });
    broadcast(JSON.stringify({ trade: `${channel}-3`, price: 12 }));
    await bed.waitForSucceededRuns(triggerId, 1, 'the trade after the reconnect');
    await bed.waitForConnection(sourceId, 'up');
  });
});
