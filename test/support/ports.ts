// Free loopback ports. The OS picks them (bind to port 0), so parallel suites do not collide;
// a port handed out here is not reused by this process, which narrows the bind race.
import { createServer } from "node:net";

const handedOut = new Set<number>();

function askOs(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (;;) {
    const port = await askOs(host);
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
