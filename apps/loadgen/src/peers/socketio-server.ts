// The canonical socket.io chat server, as its tutorial writes it: one event,
// broadcast to everyone. The benchmark drives it beside Confab for a ratio
// against a server people actually pick.
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server);

io.on('connection', (socket) => {
  socket.on('chat message', (message: unknown) => {
    io.emit('chat message', message);
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

process.on('SIGTERM', () => process.exit(0));
