// A name server on loopback for the tests: it answers A queries for the names it is given, with the
// address and TTL given, and never answers the others (as a name server that hangs). Minimal DNS
// (RFC 1035): one question, one answer, no compression beyond a pointer to the question.
import { createSocket } from "node:dgram";

// records: { "good.test": "127.0.0.1" }. Resolves to { port, queries: Map(name → count), close }.
export function startNameServer(records, ttl = 60) {
  const queries = new Map();
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    if (query.length < 12) return;
    let offset = 12;
    const labels = [];
    while (offset < query.length && query[offset] !== 0) {
      const length = query[offset];
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
      offset += 1 + length;
    }
    const name = labels.join(".").toLowerCase();
    const type = query.readUInt16BE(offset + 1);
    const questionEnd = offset + 5;
    queries.set(name, (queries.get(name) ?? 0) + 1);
    const address = records[name];
    if (address === undefined) return;  // hangs
    const header = Buffer.from(query.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2);  // a response, recursion available, no error
    const answers = type === 1 ? 1 : 0;  // AAAA and the rest: no data
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const parts = [header, query.subarray(12, questionEnd)];
    if (answers) {
      const answer = Buffer.alloc(16);
      answer.writeUInt16BE(0xc00c, 0);  // the name: a pointer to the question's
      answer.writeUInt16BE(1, 2);       // A
      answer.writeUInt16BE(1, 4);       // IN
      answer.writeUInt32BE(ttl, 6);
      answer.writeUInt16BE(4, 10);
      address.split(".").forEach((byte, i) => answer.writeUInt8(Number(byte), 12 + i));
      parts.push(answer);
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  return new Promise((resolve) =>
    socket.bind(0, "127.0.0.1", () => resolve({ port: socket.address().port, queries, close: () => socket.close() })),
  );
}
