/**
 * A boot's timeline as seen on the wire, for either server: tcpdump's text output of one capture
 * on the PXE bridge → the same event shape Striker records (striker/machines/boot-phases.ts
 * `PhaseEvent`), so both servers' boots are split into phases by one function, from one kind of
 * evidence. Pure: takes tcpdump's text, returns events.
 *
 *   dhcp.discover / dhcp.ack  `tcpdump -v` DHCP messages (firmware: the client's option 60 says PXEClient)
 *   tftp.transfer             an RRQ and the last packet of its transfer
 *   http.file                 a request line (`tcpdump -A`) and the last byte the server sent for it
 *   kickstart.fetched         a GET under /ks/;  install.finished: a POST to /ks/<host>/events
 */
import type { PhaseEvent } from '../../../striker/machines/boot-phases.js';

const stamp = /^(\d+\.\d+) /;

/** Lines grouped into packets: each starts at a line with a timestamp. */
function packets(text: string): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  for (const line of text.split('\n')) {
    const m = stamp.exec(line);
    if (m !== null) out.push({ at: Number(m[1]) * 1000, text: line });
    else if (out.length > 0) out[out.length - 1]!.text += `\n${line}`;
  }
  return out;
}

/** `tcpdump -n -tt -v 'udp port 67 or udp port 68'` → DHCP discovers and acks from clients/servers. */
export function dhcpEvents(text: string): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  for (const p of packets(text)) {
    const type = /DHCP-Message \(53\), length 1: (\w+)/.exec(p.text)?.[1];
    const vendor = /Vendor-Class \(60\), length \d+: "([^"]*)"/.exec(p.text)?.[1] ?? '';
    const at = new Date(p.at);
    if (type === 'Discover') events.push({ at, step: 'dhcp.discover', details: { firmware: vendor.startsWith('PXEClient') ? 'pxe' : null, vendor } });
    if (type === 'ACK') events.push({ at, step: 'dhcp.ack', details: {} });
  }
  return events;
}

/** `tcpdump -n -tt udp` → one tftp.transfer per RRQ: at its start, durationMs to its last packet. */
export function tftpEvents(text: string): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  const open = new Map<string, { start: number; last: number; file: string; packets: number }>();
  for (const p of packets(text)) {
    const m = /IP (\S+)\.(\d+) > (\S+)\.(\d+): (.*)$/.exec(p.text.split('\n')[0]!);
    if (m === null) continue;
    const [, srcIp, srcPort, dstIp, dstPort, rest] = m;
    const rrq = /TFTP, length \d+, RRQ "([^"]+)"/.exec(rest!);
    if (rrq !== null && dstPort === '69') {
      open.set(`${srcIp}.${srcPort}`, { start: p.at, last: p.at, file: rrq[1]!, packets: 0 });
      continue;
    }
    const t = open.get(`${srcIp}.${srcPort}`) ?? open.get(`${dstIp}.${dstPort}`);
    if (t !== undefined) {
      t.last = p.at;
      t.packets++;
    }
  }
  for (const t of open.values()) events.push({ at: new Date(t.start), step: 'tftp.transfer', details: { file: t.file, durationMs: Math.round(t.last - t.start), outcome: 'ok' } });
  return events;
}

/**
 * `tcpdump -n -tt -A 'tcp dst port PORT'` (requests) and `tcpdump -n -tt 'tcp src port PORT'`
 * (responses) → an http.file (or kickstart step) per request, at the last byte the server sent
 * before the connection's next request; bytes from the sequence numbers.
 */
export function httpEvents(requests: string, responses: string): PhaseEvent[] {
  const asked: { at: number; conn: string; method: string; path: string }[] = [];
  for (const p of packets(requests)) {
    const head = /IP (\S+) > \S+: /.exec(p.text.split('\n')[0]!);
    const line = /(GET|POST|HEAD) (\S+) HTTP\/1\.[01]/.exec(p.text);
    if (head !== null && line !== null) asked.push({ at: p.at, conn: head[1]!, method: line[1]!, path: line[2]! });
  }
  const sent = new Map<string, { at: number; start: number; end: number }[]>();
  for (const p of packets(responses)) {
    const m = /IP \S+ > (\S+): Flags \[[^\]]*\], seq (\d+):(\d+),/.exec(p.text);
    if (m === null) continue;
    const list = sent.get(m[1]!.replace(/:$/, '')) ?? [];
    list.push({ at: p.at, start: Number(m[2]), end: Number(m[3]) });
    sent.set(m[1]!.replace(/:$/, ''), list);
  }
  const events: PhaseEvent[] = [];
  asked.forEach((r, i) => {
    const next = asked.slice(i + 1).find((x) => x.conn === r.conn)?.at ?? Infinity;
    const answer = (sent.get(r.conn) ?? []).filter((s) => s.at >= r.at && s.at < next);
    const end = answer.length > 0 ? Math.max(...answer.map((s) => s.at)) : r.at;
    const bytes = answer.length > 0 ? Math.max(...answer.map((s) => s.end)) - Math.min(...answer.map((s) => s.start)) : 0;
    const at = new Date(end);
    const path = r.path.replace(/^\//, '');
    if (r.method === 'POST' && /^ks\/[^/]+\/events$/.test(path)) events.push({ at, step: 'install.finished', details: {} });
    else if (path.startsWith('ks/')) events.push({ at, step: 'kickstart.fetched', details: { outcome: 'served' } });
    else events.push({ at, step: 'http.file', details: { file: path, bytes, durationMs: Math.round(end - r.at), outcome: 'ok' } });
  });
  return events;
}
